// Package keys builds the KV key layout shared by the API, the legacy
// backend and the edge worker.
package keys

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Session is the key of an installer or homeowner session.
func Session(role, id string) string {
	return fmt.Sprintf("sess:%s:%s", role, id)
}

// SessionIndex is the key holding one user's session IDs.
func SessionIndex(userID string) string {
	return "sess-index:" + url.PathEscape(userID)
}

// Pairing is the key of a one-time device pairing code.
func Pairing(code string) string {
	return "pair:code:" + code
}

// DeviceClaim records which home a device serial is paired to.
func DeviceClaim(serial string) string {
	return "pair:serial:" + url.PathEscape(serial)
}

// Schedule is the key of a thermostat's weekly schedule.
func Schedule(homeID, deviceID string) string {
	return fmt.Sprintf("%[1]s:sched:%[2]s:%[1]s", homeID, deviceID)
}

// Override is the key of a temporary setpoint override.
func Override(homeID, deviceID, kind string) string {
	return fmt.Sprintf("ovr:%[1]s/%[2]s:%[3]s", homeID, deviceID, kind)
}

// LastReading is the key of a device's last telemetry reading.
func LastReading(deviceID string) string {
	return "reading:last:" + url.PathEscape(deviceID)
}

// ReadingBucket keys the hourly reading counter of a device.
func ReadingBucket(dst []byte, deviceID string, hour time.Time) []byte {
	dst = append(dst, "reading:n:"...)
	dst = append(dst, deviceID...)
	dst = append(dst, ':')
	return strconv.AppendInt(dst, hour.Unix(), 10)
}

// Tariff is the edge key of a published tariff table.
func Tariff(region, plan string, version int) string {
	return fmt.Sprintf("tariff:%[1]s:%[2]s:v%[3]d", region, url.PathEscape(plan), version)
}

// TariffCurrent points at the current version of a region's tariffs.
func TariffCurrent(region string) string {
	return fmt.Sprintf("tariff:%s:current", region)
}

// Cohort is the key of a firmware rollout cohort list.
func Cohort(model, cohort string) string {
	return fmt.Sprintf("fw:%[1]s:cohort:%[2]s", model, cohort)
}

// Statement is the key of a home's monthly usage statement.
func Statement(homeID string, year int, month time.Month) string {
	buf := make([]byte, 0, 64)
	buf = append(buf, "stmt:"...)
	buf = append(buf, base64.RawURLEncoding.EncodeToString([]byte(homeID))...)
	buf = append(buf, ':')
	buf = strconv.AppendInt(buf, int64(year), 10)
	buf = append(buf, '-')
	if month < 10 {
		buf = append(buf, '0')
	}
	buf = strconv.AppendInt(buf, int64(month), 10)
	return string(buf)
}
