from django.contrib import admin

from openmash.organisations.models import District, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "nation", "requires_two_factor"]
    list_filter = ["kind", "nation", "requires_two_factor"]
    search_fields = ["code", "name"]
    filter_horizontal = ["covers"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["gss_code", "name", "council"]
    search_fields = ["gss_code", "name"]
