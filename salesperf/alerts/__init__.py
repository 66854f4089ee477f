"""Alerts and digests after each publish (日报 daily / 周报 weekly), and the alert of a failed build.

- :mod:`salesperf.alerts.rules`: the alert rules, as queries on the published marts, scoped like
  the dashboard (:mod:`salesperf.alerts.scope`);
- :mod:`salesperf.alerts.channels`: e-mail (SMTP) and the webhooks of 企业微信 WeCom, 钉钉 DingTalk,
  飞书 Feishu and Slack;
- :mod:`salesperf.alerts.digest`: the configuration file, the bilingual text, delivery and the CLI
  (``python -m salesperf.run digest``); :func:`after_build` wraps a build.
"""
