"""Where meeting materials are kept: a directory of their own, with no URL. Nothing in it
is reachable except through `views.MaterialDownloadView`, which asks `sharing` first."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    """`settings.PRIVATE_MEDIA_ROOT`, read at each use (so that tests can move it)."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Materials have no URL: they are served by the download view.")


private_storage = PrivateStorage()
