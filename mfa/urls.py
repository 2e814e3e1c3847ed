from django.urls import path

from mfa import views

app_name = "mfa"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("enrol/", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
]
