"""Mount at the site root: ``path('.well-known/openpgpkey/',
include('django_pgpmailman.wkd_urls'))``."""

from django.urls import path

from django_pgpmailman.views import wkd

urlpatterns = [
    path('hu/<str:hashed>', wkd.key, name='pgp_wkd_direct_key'),
    path('policy', wkd.policy, name='pgp_wkd_direct_policy'),
    path('<str:domain>/hu/<str:hashed>', wkd.key, name='pgp_wkd_key'),
    path('<str:domain>/policy', wkd.policy, name='pgp_wkd_policy'),
]
