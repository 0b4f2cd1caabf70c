// Package fleet holds the key layout and the value types shared by the
// backend event processors and the edge Worker. It has no dependencies on
// either SDK so that it builds for linux/amd64 and js/wasm alike.
package fleet

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Key prefixes. Every key in the FLEET namespace starts with one of these.
const (
	PrefixPairing    = "pair:"
	PrefixToken      = "devtok:"
	PrefixRevoked    = "revoked:"
	PrefixShadow     = "shadow:"
	PrefixDesired    = "desired:"
	PrefixCmdQueue   = "cmdq:"
	PrefixRollout    = "rollout:"
	PrefixTally      = "tally:"
	PrefixWindow     = "mw:"
	PrefixManifest   = "manifest:"
	PrefixDeviceName = "devname:"
	PrefixSeen       = "seen:"
	PrefixConsole    = "console-sess:"
)

// PairingKey is where a short-lived pairing code is parked until a device redeems it.
func PairingKey(code string) string { return PrefixPairing + strings.ToUpper(code) }

// PairingAttemptsKey tracks failed redemptions of one code.
func PairingAttemptsKey(code string) string {
	return fmt.Sprintf("%s%s:attempts", PrefixPairing, strings.ToUpper(code))
}

// DeviceTokenKey stores the record behind a device bearer token.
func DeviceTokenKey(tokenID string) string { return PrefixToken + tokenID }

// RevokedKey marks a token id as revoked.
func RevokedKey(tokenID string) string { return PrefixRevoked + tokenID }

// ShadowKey is the reported/desired document of one device.
func ShadowKey(deviceID string) string { return PrefixShadow + deviceID }

// DesiredKey holds the operator's desired configuration for one device.
func DesiredKey(deviceID string) string { return PrefixDesired + deviceID }

// CommandQueueKey is the pending command list of one device.
func CommandQueueKey(deviceID string) string { return PrefixCmdQueue + deviceID }

// DeviceNameKey maps a tenant-scoped friendly name to a device id.
func DeviceNameKey(tenant, name string) string {
	return fmt.Sprintf("%[1]s%[2]s/%[3]s", PrefixDeviceName, tenant, url.PathEscape(strings.ToLower(name)))
}

// RolloutKey is the state document of one firmware rollout.
func RolloutKey(id string) string { return PrefixRollout + id }

// RolloutDeviceKey records the outcome for one device in a rollout.
func RolloutDeviceKey(id, deviceID string) string {
	return fmt.Sprintf("%s%s/dev/%s", PrefixRollout, id, deviceID)
}

// RolloutDoneKey is the number of devices that finished a rollout.
func RolloutDoneKey(id string) string { return fmt.Sprintf("%s%s/done", PrefixRollout, id) }

// RolloutStatusKey is a small summary rendered on the console.
func RolloutStatusKey(id string) string { return fmt.Sprintf("%s%s/status", PrefixRollout, id) }

// RolloutHoldKey pauses a rollout until it expires.
func RolloutHoldKey(id string) string { return fmt.Sprintf("%s%s/hold", PrefixRollout, id) }

// HourBucket truncates t to the hour and renders it in a sortable form.
func HourBucket(t time.Time) string { return t.UTC().Truncate(time.Hour).Format("2006010215") }

// TallyKey is the telemetry summary for one device and hour.
func TallyKey(deviceID string, bucket string) string {
	return fmt.Sprintf("%s%s/%s", PrefixTally, deviceID, bucket)
}

// AlertCountKey holds the number of alerts raised by a device.
func AlertCountKey(deviceID string) string { return "alerts:" + deviceID + ":count" }

// QuotaKey is the monthly message usage of a tenant.
func QuotaKey(tenant string, month time.Time) string {
	return fmt.Sprintf("quota:%s:messages:%s", tenant, month.UTC().Format("200601"))
}

// WindowKey is one maintenance window of a site.
func WindowKey(site, id string) string { return fmt.Sprintf("%s%s/%s", PrefixWindow, site, id) }

// WindowPrefix lists the windows of a site.
func WindowPrefix(site string) string { return PrefixWindow + site + "/" }

// ManifestKey caches the firmware manifest for a model and channel.
func ManifestKey(model, channel string) string {
	return PrefixManifest + url.PathEscape(model) + "/" + channel
}

// SeenKey records the last check-in of a device.
func SeenKey(deviceID string) string { return PrefixSeen + deviceID }

// ConsoleSessionKey is an operator console session.
func ConsoleSessionKey(id string) string { return PrefixConsole + id }

// AuditKey is the append-only audit trail of a device.
func AuditKey(deviceID string) string { return "audit:" + deviceID }

// TenantDevicesKey lists the devices of a tenant.
func TenantDevicesKey(tenant string) string { return "tenant:" + tenant + ":devices" }
