// Package keys builds the storage keys used across the network. Keys derived
// from user input are escaped or hashed so they stay short and printable.
package keys

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
)

// Separator joins key segments.
const Separator = ":"

// Join concatenates segments with the separator.
func Join(parts ...string) string { return strings.Join(parts, Separator) }

// Digest returns the hex SHA-256 of s. It is used where the raw value is
// personal data (e-mail addresses) or may be long (URLs).
func Digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// NormalizeEmail lower-cases and trims an address.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// DriverByEmail is the index from e-mail address to driver ID.
func DriverByEmail(email string) string {
	return Join("driver", "email", Digest(NormalizeEmail(email)))
}

// LoginAttempts is keyed by the hashed address so no e-mail appears in keys.
func LoginAttempts(email string) string {
	return Join("login-attempts", Digest(NormalizeEmail(email)))
}

// LoginCode keys a one-time code sent by e-mail.
func LoginCode(email, code string) string {
	return Join("otp", url.PathEscape(NormalizeEmail(email)), code)
}

// Card keys an RFID card by its UID bytes.
func Card(uid []byte) string {
	return Join("card", base64.RawURLEncoding.EncodeToString(uid))
}

// CardHex parses the hex UID chargers send and returns the card key.
func CardHex(uidHex string) (string, error) {
	uid, err := hex.DecodeString(strings.TrimSpace(uidHex))
	if err != nil {
		return "", err
	}
	return Card(uid), nil
}

// Session keys a login session.
func Session(id string) string { return Join("session", id) }

// Charger keys the live status of one charger.
func Charger(id string) string { return Join("status", url.PathEscape(id)) }

// Connector keys one connector of a charger.
func Connector(chargerID string, connector int) string {
	return Join("status", url.PathEscape(chargerID), strconv.Itoa(connector))
}

// Reservation keys a reservation by connector and slot start (unix minutes).
func Reservation(chargerID string, connector int, slot int64) string {
	return Join("rsv", url.PathEscape(chargerID), strconv.Itoa(connector), strconv.FormatInt(slot, 10))
}

// ReceiptByURL keys a cached receipt by the URL the payment provider gave us.
func ReceiptByURL(u string) string { return Join("receipt", Digest(u)) }

// Tariff keys a tariff by ID.
func Tariff(id string) string { return Join("tariff", url.PathEscape(id)) }
