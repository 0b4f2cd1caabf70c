// Package keys builds the store keys used by every service. Keys never
// contain raw patient identifiers or contact details: those are hashed
// or escaped before they reach a key.
package keys

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// MaxLen is the longest key the store accepts, in bytes.
const MaxLen = 512

// ErrKey is returned by Check for keys the store would reject.
var ErrKey = errors.New("keys: invalid key")

// Check validates a key built at run time.
func Check(k string) error {
	switch {
	case k == "", k == ".", k == "..":
		return fmt.Errorf("%w: %q", ErrKey, k)
	case len(k) > MaxLen:
		return fmt.Errorf("%w: %d bytes", ErrKey, len(k))
	}
	return nil
}

// Hash returns the hex SHA-256 of the parts joined by NUL bytes.
func Hash(parts ...string) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Opaque encodes b for use inside a key.
func Opaque(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Email returns the key segment for an e-mail address: lower-cased and
// path-escaped so that '+' and '/' survive the REST API's URL handling.
func Email(addr string) string {
	return url.PathEscape(strings.ToLower(strings.TrimSpace(addr)))
}

// Session is the key of a patient portal session.
func Session(id string) string { return "sess:" + id }

// SessionPrefix is the prefix of every session of one patient.
func SessionPrefix(patientID string) string { return "sess-idx:" + Hash(patientID) + ":" }

// SessionIndex records that a session belongs to a patient.
func SessionIndex(patientID, sessionID string) string {
	return SessionPrefix(patientID) + sessionID
}

// OTP is the key of a one-time verification code sent to dest.
func OTP(channel, dest string) string { return "otp:" + channel + ":" + Hash(dest) }

// OTPAttempts is the key holding wrong guesses for a code.
func OTPAttempts(channel, dest string) string { return "otp-attempts:" + channel + ":" + Hash(dest) }

// Slot is the key that claims a clinician's bookable slot.
func Slot(clinicianID string, start time.Time) string {
	return "slot:" + clinicianID + ":" + start.UTC().Format("200601021504")
}

// Appointment is the key of an appointment record.
func Appointment(id string) string { return "appt:" + id }

// AppointmentDay is the prefix of appointments starting on day (UTC).
func AppointmentDay(day time.Time) string { return "appt-day:" + day.UTC().Format("20060102") + ":" }

// JoinLink is the key of a video-visit join token.
func JoinLink(token string) string { return "join:" + token }

// HostPIN is the key of a clinician's host PIN for a visit.
func HostPIN(visitID string) string { return "host-pin:" + visitID }

// Refills is the key of a patient's refill queue.
func Refills(patientID string) string { return "refills:" + Hash(patientID) }

// RefillStatus is the key of one refill request's status.
func RefillStatus(requestID string) string { return "refill-status:" + requestID }

// Summary is the key of a visit summary.
func Summary(patientID, visitID string) string {
	return "summary:" + Hash(patientID) + ":" + visitID
}

// SummaryPrefix is the prefix of all summaries of one patient.
func SummaryPrefix(patientID string) string { return "summary:" + Hash(patientID) + ":" }

// Schedule is the key of a clinician's working schedule.
func Schedule(clinicianID string) string { return "schedule:" + clinicianID }

// Availability is the key of one clinician-hour of published availability.
func Availability(clinicianID string, hour time.Time) string {
	return "avail:" + clinicianID + ":" + hour.UTC().Format("2006010215")
}

// Minute is the key of a single bookable minute.
func Minute(clinicianID string, t time.Time) string {
	return "minute:" + clinicianID + ":" + t.UTC().Format("200601021504")
}
