from rest_framework.routers import SimpleRouter

from marketplace.catalog.api import views

router = SimpleRouter()
router.register("listings", views.ListingViewSet, basename="listing")
router.register("watchlist", views.WatchlistViewSet, basename="watchlist")
router.register("saved-searches", views.SavedSearchViewSet, basename="saved-search")

urlpatterns = router.urls
