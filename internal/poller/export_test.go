package poller

// PollMillis exposes pollMillis to the black-box tests.
var PollMillis = pollMillis
