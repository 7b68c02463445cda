from django.contrib import admin

from learningcity.passport.models import Achievement, Award, Pathway, PathwayStep, SkillAlignment


class SkillAlignmentInline(admin.TabularInline[SkillAlignment, Achievement]):
    model = SkillAlignment
    extra = 0


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin[Achievement]):
    list_display = ["__str__", "organisation", "achievement_type", "level", "active"]
    list_filter = ["achievement_type", "level", "active"]
    search_fields = ["name_fr", "name_en"]
    inlines = [SkillAlignmentInline]


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin[Award]):
    list_display = ["uuid", "achievement", "method", "awarded_at", "revoked_at"]
    list_filter = ["method"]
    readonly_fields = ["credential", "jwt", "status_list", "status_index", "signing_key"]


class PathwayStepInline(admin.TabularInline[PathwayStep, Pathway]):
    model = PathwayStep
    extra = 0


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin[Pathway]):
    list_display = ["__str__", "organisation", "published"]
    inlines = [PathwayStepInline]
