"""A URLconf without the second factor's pages (as a test's own URLconf may be)."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path


def page(request):
    return HttpResponse("a page")


urlpatterns = [path("admin/", admin.site.urls), path("page/", page)]
