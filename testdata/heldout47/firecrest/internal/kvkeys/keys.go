// Package kvkeys holds the key prefixes and expirations shared by the Worker
// and the backend. Both sides must agree on these byte for byte, so they live
// in one file that has no build constraints.
package kvkeys

import "time"

// Namespace bindings (Worker) and namespace IDs are configured per environment;
// these are the binding names from wrangler.toml.
const (
	BindingDispatch = "DISPATCH"
	BindingAuth     = "COURIER_AUTH"
	BindingProofs   = "PROOFS"
)

const appPrefix = "fc:"

// Key prefixes. Every key is appPrefix + area + ":" + id.
const (
	ShiftPrefix = appPrefix +
		"shift:"
	ShiftRosterPrefix = appPrefix +
		"roster:"
	OrderStatusPrefix = appPrefix +
		"order:" +
		"status:"
	OrderTrailPrefix = appPrefix +
		"order:" +
		"trail:"
	LoginPrefix = appPrefix +
		"login:"
	DeviceBindPrefix = appPrefix +
		"device:"
	OTPPrefix = appPrefix +
		"otp:"
	RefreshPrefix = appPrefix +
		"refresh:"
	ProofPrefix = appPrefix +
		"proof:"
	ProofIndexPrefix = appPrefix +
		"proofidx:"
	SurgePrefix = appPrefix +
		"surge:"
	ZoneDemandPrefix = appPrefix +
		"zone:" +
		"demand:"
	ZoneCfgPrefix = appPrefix +
		"zone:" +
		"cfg:"
	PingAttemptsPrefix = appPrefix +
		"ping:" +
		"attempts:"
	HandleClaimPrefix = appPrefix +
		"handle:"
	ExportCursorKey = appPrefix +
		"export:" +
		"cursor"
	DispatchBoardKey = appPrefix +
		"board:" +
		"live"
	FleetSnapshotKey = appPrefix +
		"fleet:" +
		"snapshot"
)

// Expirations in seconds, as KV wants them.
const (
	OrderStatusTTL = 2 * 60 * 60
	LoginTTL       = 12 * 60 * 60
	OTPTTL         = 5 * 60
	ShiftTTL       = 36 * 60 * 60
	ProofTTL       = 90 * 24 * 60 * 60
	SurgeTTL       = 15 * 60
	DemandWindow   = 45
	PingWindowTTL  = 10 * 60
	HandleClaimTTL = 30 * 24 * 60 * 60
	ZoneCfgCache   = 120
	EdgeCacheTTL   = 60
	BoardCacheTTL  = 20
)

// Durations used by wrappers that take a time.Duration.
const (
	StatusLinger   = 90 * time.Second
	TrailLinger    = 30 * time.Minute
	DeviceBindLife = 30 * 24 * time.Hour
	SurgeHold      = 40 * time.Second
)
