// Package fleet holds the device fleet's shared types, MQTT topic layout and
// KV key layout. Both the ingestion service and fleetctl import it.
package fleet

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Topic filters the ingestion service subscribes to.
const (
	TopicTelemetry = "devices/+/telemetry"
	TopicStatus    = "fleet/+/+/status"
	TopicShadow    = "devices/+/shadow/update"
	TopicOTA       = "devices/+/ota/progress"
	TopicClaim     = "provision/+/claim"
	TopicEvents    = "devices/+/events"
)

// ErrBadTopic is returned when a topic does not match the expected layout.
var ErrBadTopic = errors.New("fleet: unexpected topic layout")

// DeviceFromTopic extracts the device ID from topics of the form
// devices/{device}/... and provision/{device}/....
func DeviceFromTopic(topic string) (string, error) {
	parts := strings.Split(topic, "/")
	if len(parts) < 3 || parts[1] == "" {
		return "", fmt.Errorf("%w: %q", ErrBadTopic, topic)
	}
	return parts[1], nil
}

// SiteDeviceFromTopic parses fleet/{site}/{device}/status.
func SiteDeviceFromTopic(topic string) (site, device string, err error) {
	parts := strings.Split(topic, "/")
	if len(parts) != 4 || parts[0] != "fleet" || parts[3] != "status" {
		return "", "", fmt.Errorf("%w: %q", ErrBadTopic, topic)
	}
	return parts[1], parts[2], nil
}

// Reading is one telemetry sample.
type Reading struct {
	Metric string    `json:"metric"`
	Value  float64   `json:"value"`
	At     time.Time `json:"at"`
}

// Snapshot is the latest telemetry of a device as stored under SnapshotKey.
type Snapshot struct {
	Device   string             `json:"device"`
	Site     string             `json:"site,omitempty"`
	Firmware string             `json:"fw,omitempty"`
	Metrics  map[string]float64 `json:"metrics"`
	At       time.Time          `json:"at"`
}

// Shadow is the desired/reported state document of a device.
type Shadow struct {
	Desired  map[string]any `json:"desired"`
	Reported map[string]any `json:"reported"`
	Version  int            `json:"version"`
	Updated  time.Time      `json:"updated"`
}

// Thresholds are alarm limits per metric.
type Thresholds struct {
	Device string             `json:"device"`
	Max    map[string]float64 `json:"max"`
	Min    map[string]float64 `json:"min"`
	Hold   time.Duration      `json:"hold"`
}

// Key layout. Every key is prefixed by its kind so that listings can be scoped.
func LastSeenKey(device string) string          { return "lastseen:" + device }
func SnapshotKey(device string) string          { return "snapshot:" + device }
func RecentKey(device string) string            { return "recent:" + device }
func ShadowKey(device string) string            { return "shadow:" + device }
func ThresholdsKey(device string) string        { return "thresholds:" + device }
func DeviceKey(serial string) string            { return "device:" + serial }
func ClaimKey(code string) string               { return "claim:" + code }
func CredentialKey(device string) string        { return "cred:" + device }
func TokenKey(token string) string              { return "token:" + token }
func RolloutKey(cohort string) string           { return "ota/rollout/" + cohort }
func CohortMemberKey(cohort, dev string) string { return "ota/cohort/" + cohort + "/" + dev }
func AlarmKey(device, metric string) string     { return "alarm:" + device + ":" + metric }
func EventLogKey(device string) string          { return "events:" + device }
