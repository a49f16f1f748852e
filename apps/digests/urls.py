"""The pages of digests, notices and federation summaries: one URL module per family."""

from apps.digests import digest_urls, notice_urls, summary_urls

app_name = "digests"

urlpatterns = [*digest_urls.urlpatterns, *notice_urls.urlpatterns, *summary_urls.urlpatterns]
