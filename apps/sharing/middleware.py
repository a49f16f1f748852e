"""A request that changes nothing reads each reader's audiences once."""

from apps.sharing.selectors import reaches_remembered

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReachPerRequestMiddleware:
    """A page asks `sharing` several times (the list, its counts, the linked items, the
    decoration): on a GET, the memberships behind the answers are read once
    (`selectors.reaches_remembered`). A POST may change them halfway, so it reads them anew
    at every question."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        with reaches_remembered():
            return self.get_response(request)
