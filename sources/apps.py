from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"

    def ready(self) -> None:
        from predictions.signals import demo_prediction_created
        from sources.demo import attach_demo_evidence

        demo_prediction_created.connect(attach_demo_evidence, dispatch_uid="sources-demo")
