"""The alert emails: who gets which (``recipients``, by the rules of ``alerts.subscriptions``), the sent-log and the
sending (``delivery``), and each kind of email: new red alerts at once (``immediate``) and resolved notices
(``resolved``), both sent by the run of ``notices``, the daily digest (``digest``), escalations to the managers
(``escalation``), and what a dead attempt left (``catch_up``); ``content`` is what they share (an
alert as a line of an email, absolute links, the two parts rendered from ``alerts/email/*`` templates).

Every email goes out the same way (``delivery``): its sent-log row is written first, one per recipient, kind and
period (unique), and only the attempt that claims the row sends it."""
