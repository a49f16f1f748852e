"""How an incident names its threat actors and campaigns in the API: id and name."""

from rest_framework import serializers

from apps.incidents.actors import Campaign, ThreatActor


class ActorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThreatActor
        fields = ["id", "name"]
        read_only_fields = fields


class CampaignRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name"]
        read_only_fields = fields
