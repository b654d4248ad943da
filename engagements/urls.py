"""Journey pages: the coach directory, booking, managing and following up chemistry calls."""

from django.urls import path

urlpatterns: list = []
