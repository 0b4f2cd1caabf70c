// Package fleet holds the domain types shared by fleetd's transports and the
// layout of the keys they are stored under.
package fleet

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Device is a registered device.
type Device struct {
	ID           string    `json:"id"`
	Serial       string    `json:"serial"`
	Name         string    `json:"name"`
	Model        string    `json:"model"`
	Tenant       string    `json:"tenant"`
	RegisteredAt time.Time `json:"registered_at"`
}

// RolloutState is the lifecycle of a firmware rollout.
type RolloutState string

const (
	RolloutActive   RolloutState = "active"
	RolloutPaused   RolloutState = "paused"
	RolloutFinished RolloutState = "finished"
)

// Rollout is the state of one firmware rollout to a cohort.
type Rollout struct {
	ID        string            `json:"id"`
	Firmware  string            `json:"firmware"`
	Cohort    string            `json:"cohort"`
	State     RolloutState      `json:"state"`
	BatchSize int               `json:"batch_size"`
	Devices   map[string]string `json:"devices"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// Command is one entry of a device's command queue.
type Command struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Args      string    `json:"args,omitempty"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CommandQueue is the list of commands a device has not acknowledged.
type CommandQueue struct {
	Device   string    `json:"device"`
	Commands []Command `json:"commands"`
}

// OperatorSession is a signed-in operator of the fleet console.
type OperatorSession struct {
	ID        string    `json:"id"`
	Operator  string    `json:"operator"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Alert is a raw alert raised by a device or by a rule.
type Alert struct {
	Device      string    `json:"device"`
	Rule        string    `json:"rule"`
	Severity    string    `json:"severity"`
	RaisedAt    time.Time `json:"raised_at"`
	Fingerprint string    `json:"fingerprint"`
}

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// Key layout. Every key starts with its kind.
const (
	PrefixCommandQueue  = "cmdq:"
	PrefixOpSession     = "opsess:"
	PrefixAPIKey        = "apikey:"
	PrefixAlertDedup    = "alert:dedup:"
	PrefixAlertHistory  = "alert:hist:"
	PrefixTelemetry     = "telemetry:latest:"
	PrefixFirmwareCache = "fw:manifest:"
)

func DeviceKey(id string) string           { return "device:" + id }
func SerialKey(serial string) string       { return "serial:" + serial }
func RolloutKey(id string) string          { return "rollout:" + id }
func RolloutIndexKey(cohort string) string { return "rollouts:by-cohort:" + cohort }
func CohortPrefix(cohort string) string    { return "cohort:" + cohort + ":" }
func CommandQueueKey(dev string) string    { return PrefixCommandQueue + dev }
func ProvTokenKey(token string) string     { return "provtoken:" + token }
func DeviceTokenKey(dev string) string     { return "devtoken:" + dev }
func TelemetryKey(dev string) string       { return PrefixTelemetry + dev }
func TargetKey(dev string) string          { return "fw:target:" + dev }
func AlertDedupKey(fp string) string       { return PrefixAlertDedup + fp }
func AlertHistoryKey(dev string) string    { return PrefixAlertHistory + dev }
func ManifestKey(channel string) string    { return PrefixFirmwareCache + channel }

// OpSessionKey scopes a session under its operator so that all of an
// operator's sessions can be listed with OpSessionPrefix.
func OpSessionKey(operator, id string) string { return OpSessionPrefix(operator) + id }
func OpSessionPrefix(operator string) string  { return PrefixOpSession + operator + ":" }
