"""mailman-web's URLs plus this app's: a ready ROOT_URLCONF.

Sites with their own URL conf add the same two lines to it instead.
"""

from django.urls import include, path
from mailman_web.urls import urlpatterns as mailman_web_urlpatterns

urlpatterns = [
    path('pgp/', include('django_pgpmailman.urls')),
    path('.well-known/openpgpkey/', include('django_pgpmailman.wkd_urls')),
] + mailman_web_urlpatterns

# An oversized paste on a PGP page gets its form back, with a reason.
handler400 = 'django_pgpmailman.views.errors.bad_request'
