"""What every app's pages share and need nothing of any app: GOV.UK form helpers (error summaries, service
errors on their fields, yes/no questions, lengths from columns). Below every app in the layers."""
