"""The member's page of notices (``/notices/``): newest first, each shown only while the
reader may see its item (`notices.notices_seen`), read once shown; "mark all read"."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.digests import notices

PAGE_SIZE = 25


class NoticeListView(LoginRequiredMixin, TemplateView):
    """Pages by number without counting them all: one row more than a page tells whether
    there is an older one."""

    template_name = "digests/notices/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            number = max(1, int(self.request.GET.get("page", 1)))
        except ValueError:
            number = 1
        start = (number - 1) * PAGE_SIZE
        rows = list(notices.notices_seen(self.request.user)
                    .order_by("-created_at", "-pk")[start:start + PAGE_SIZE + 1])
        page = rows[:PAGE_SIZE]
        entries = notices.notice_entries(page)
        # Shown: read. The entries keep read_at as it was, to mark the new ones.
        notices.notices_read(user=self.request.user,
                             notice_ids=[n.pk for n in page if n.read_at is None])
        context.update(entries=entries, page_number=number,
                       older=number + 1 if len(rows) > PAGE_SIZE else None,
                       newer=number - 1 if number > 1 else None)
        return context


class NoticesReadView(LoginRequiredMixin, View):
    def post(self, request):
        notices.notices_read(user=request.user)
        messages.success(request, _("All notices are marked read."))
        return redirect("digests:notices")
