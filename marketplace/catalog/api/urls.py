from marketplace.catalog.api import views
from marketplace.core.api.routers import Router

router = Router()
router.register("listings", views.ListingViewSet, basename="listing")
router.register("watchlist", views.WatchlistViewSet, basename="watchlist")
router.register("saved-searches", views.SavedSearchViewSet, basename="saved-search")

urlpatterns = router.urls
