from django.contrib.auth import views as auth_views
from django.urls import path

from .views import assets, booking, cases, customer_edit, customers, duplicates, home, scheduling
from .views import presence as presence_views
from .views import promises as promise_views
from .views.callback_request import urlpatterns as callback_urls
from .views.chat import chat_demo, chat_suggestions
from .views.help import urlpatterns as help_urls
from .views.inbound import urlpatterns as inbound_urls
from .views.knowledge import urlpatterns as knowledge_urls
from .views.phone import urlpatterns as phone_urls
from .views.replies import urlpatterns as reply_urls

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("inbox/", home.inbox_more, name="inbox-more"),
    path("presence/", presence_views.presence, name="presence"),
    path("search/", customers.search, name="search"),
    path("customers/duplicates/", duplicates.duplicates, name="duplicates"),
    path(
        "customers/duplicates/<int:pair_id>/dismiss/",
        duplicates.duplicate_dismiss,
        name="duplicate-dismiss",
    ),
    path("customers/new/", customer_edit.customer_new, name="customer-new"),
    path("customers/<int:customer_id>/", customers.customer_page, name="customer"),
    path("customers/<int:customer_id>/edit/", customer_edit.customer_edit, name="customer-edit"),
    path(
        "customers/<int:customer_id>/identities/",
        customer_edit.identity_add,
        name="customer-identity-add",
    ),
    path("customers/<int:customer_id>/cases/new/", cases.case_new, name="case-new"),
    path(
        "customers/<int:customer_id>/timeline/",
        customers.customer_timeline,
        name="customer-timeline",
    ),
    path("customers/<int:customer_id>/merge/", duplicates.customer_merge, name="customer-merge"),
    path("cases/<int:case_id>/", cases.case_page, name="case"),
    path("cases/<int:case_id>/timeline/", cases.case_timeline, name="case-timeline"),
    path("cases/<int:case_id>/summary/", cases.case_summary, name="case-summary"),
    path("cases/<int:case_id>/status/", cases.case_status, name="case-status"),
    path("cases/<int:case_id>/notes/", cases.case_note, name="case-note"),
    path("cases/<int:case_id>/contacts/", cases.case_contact, name="case-contact"),
    path("cases/<int:case_id>/handoff/", cases.case_handoff, name="case-handoff"),
    # Appointments, reception, visits and assets (advisors)
    path("locations/", scheduling.locations, name="locations"),
    path(
        "locations/<int:location_id>/reception/",
        scheduling.reception_page,
        name="location-reception",
    ),
    path(
        "locations/<int:location_id>/reception/walk-in/",
        scheduling.reception_walk_in,
        name="location-walk-in",
    ),
    path(
        "locations/<int:location_id>/reception/appointments/<int:appointment_id>/check-in/",
        scheduling.reception_check_in,
        name="location-check-in",
    ),
    path("locations/<int:location_id>/queue/", scheduling.queue_page, name="location-queue"),
    path(
        "locations/<int:location_id>/queue/next/", scheduling.queue_next, name="location-queue-next"
    ),
    path("visits/<int:visit_id>/", scheduling.visit_page, name="visit"),
    path("visits/<int:visit_id>/call/", scheduling.visit_call, name="visit-call"),
    path(
        "callbacks/<int:callback_id>/complete/",
        scheduling.callback_complete,
        name="callback-complete",
    ),
    path(
        "callbacks/<int:callback_id>/attempts/",
        scheduling.callback_attempt,
        name="callback-attempt",
    ),
    path(
        "customers/<int:customer_id>/appointments/new/",
        scheduling.customer_book,
        name="customer-book",
    ),
    path("customers/<int:customer_id>/assets/new/", assets.asset_new, name="asset-new"),
    path("assets/", assets.assets_search, name="assets"),
    path("assets/<int:asset_id>/", assets.asset_page, name="asset"),
    # Public booking: no account
    path("book/", booking.book_start, name="booking-start"),
    path("book/slots/", booking.book_slots, name="booking-slots"),
    path("book/details/", booking.book_details, name="booking-details"),
    path("book/manage/<str:token>/", booking.booking_manage, name="booking-manage"),
    path("book/manage/<str:token>/cancel/", booking.booking_cancel, name="booking-cancel"),
    path("book/manage/<str:token>/move/", booking.booking_move, name="booking-move"),
    path("book/checkin/<str:token>/", booking.booking_check_in, name="booking-check-in"),
    path("book/wait/<str:token>/", booking.booking_waiting, name="booking-waiting"),
    path("cases/<int:case_id>/promises/new/", promise_views.promise_new, name="case-promise-new"),
    path(
        "customers/<int:customer_id>/promises/",
        promise_views.customer_promises,
        name="customer-promises",
    ),
    path("promises/<int:promise_id>/keep/", promise_views.promise_keep, name="promise-keep"),
    path("promises/<int:promise_id>/cancel/", promise_views.promise_cancel, name="promise-cancel"),
    path("promises/alerts/", promise_views.alerts, name="promise-alerts"),
    path("promises/alerts/link/", promise_views.alerts_link, name="promise-alerts-link"),
    path(
        "promises/alerts/<int:alert_id>/read/", promise_views.alert_read, name="promise-alert-read"
    ),
]
urlpatterns += [*inbound_urls, *reply_urls]  # channels: inbound messages, e-mail replies
urlpatterns += callback_urls  # public callback requests: no account
urlpatterns += [*help_urls, *knowledge_urls]  # knowledge: public help, editors, suggestions
urlpatterns += phone_urls  # channels: notes after phone calls
urlpatterns += [path("chat/demo/", chat_demo, name="chat-demo")]  # web chat: demo host page
urlpatterns += [path("chat/suggestions/", chat_suggestions, name="chat-suggestions")]
