package events

import "time"

// InviteAccepted is published when a user joins an organisation.
type InviteAccepted struct {
	Org    string
	UserID string
	Email  string
	Role   string
	At     time.Time
}

// Exposure is published the first time a user is assigned a variant.
type Exposure struct {
	Experiment string
	Variant    string
	UserID     string
}

// KeyRevoked is published when an API key is revoked.
type KeyRevoked struct {
	KeyID string
	Org   string
	By    string
}

// PasswordChanged is published after a reset link is redeemed.
type PasswordChanged struct {
	UserID string
	At     time.Time
}

// DevicePaired is published when a device is bound to an account.
type DevicePaired struct {
	DeviceID string
	Owner    string
	Name     string
}
