"""The alert emails: who gets which (``subscriptions``, ``recipients``), the sent-log and the sending
(``delivery``), and each kind of email: new red alerts at once (``immediate``), the daily digest (``digest``),
escalations to the managers (``escalation``) and resolved notices (``resolved``); ``content`` is what they share (an
alert as a line of an email, absolute links, the two parts rendered from ``alerts/email/*`` templates).

Every email goes out the same way (``delivery``): its sent-log row is written first, one per recipient, kind and
period (unique), and only the attempt that claims the row sends it."""
