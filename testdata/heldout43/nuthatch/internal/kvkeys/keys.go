// Package kvkeys defines the key layout of the parking KV namespaces. Every
// key type renders itself; callers never build key strings by hand.
package kvkeys

import (
	"net/url"
	"path"
	"strings"
	"unicode"
)

// Raw is a literal key.
type Raw string

func (r Raw) String() string { return string(r) }

// NormalizePlate upper-cases a licence plate and strips spaces and dashes so
// "abc-123" and "ABC 123" land on the same key.
func NormalizePlate(plate string) string {
	var b strings.Builder
	for _, r := range plate {
		if r == ' ' || r == '-' || r == '.' {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// PermitKey addresses a permit record.
type PermitKey struct {
	City string
	ID   string
}

func (k PermitKey) String() string { return path.Join("permits", k.City, k.ID) }

// PermitPrefix is the listing prefix for all permits of a city.
func PermitPrefix(city string) string { return "permits/" + city + "/" }

// PlateKey maps a plate to the permit that holds it.
type PlateKey struct {
	City  string
	Plate string
}

func (k PlateKey) String() string {
	return strings.Join([]string{"plates", k.City, NormalizePlate(k.Plate)}, "/")
}

// ParkingKey addresses an active pay-by-phone session for a plate in a zone.
type ParkingKey struct {
	City  string
	Zone  string
	Plate string
}

func (k ParkingKey) String() string {
	return "park/" + url.PathEscape(k.City) + "/" + url.PathEscape(k.Zone) + "/" + NormalizePlate(k.Plate)
}

// ParkingPrefix lists the sessions of a zone.
func ParkingPrefix(city, zone string) string {
	return "park/" + url.PathEscape(city) + "/" + url.PathEscape(zone) + "/"
}

// ZoneKey addresses a zone's configuration (tariff, hours, limits).
type ZoneKey struct {
	City string
	Zone string
}

func (k ZoneKey) String() string { return path.Join("zones", k.City, k.Zone) }

// Key is an alias of String used by older call sites.
func (k ZoneKey) Key() string { return k.String() }

// WalletKey addresses a driver's prepaid wallet.
type WalletKey string

func (k WalletKey) String() string { return "wallets/" + url.PathEscape(string(k)) }

// VehicleKey addresses a vehicle's enforcement history.
type VehicleKey struct {
	City  string
	Plate string
}

func (k VehicleKey) String() string {
	return path.Join("vehicles", k.City, NormalizePlate(k.Plate))
}

// CitationKey addresses a citation.
type CitationKey struct {
	City string
	ID   string
}

func (k CitationKey) String() string { return path.Join("citations", k.City, k.ID) }

// CitationPrefix lists a city's citations.
func CitationPrefix(city string) string { return "citations/" + city + "/" }

// SessionID identifies a signed-in user session.
type SessionID string

func (s SessionID) String() string { return "auth/session/" + string(s) }

// UserSessions indexes the sessions of one user.
type UserSessions string

func (u UserSessions) String() string { return "auth/user-sessions/" + url.PathEscape(string(u)) }

// MagicLink addresses an e-mail sign-in link token.
type MagicLink string

func (m MagicLink) String() string { return "auth/magic/" + string(m) }

// RefreshToken addresses a mobile app refresh token.
type RefreshToken string

func (r RefreshToken) String() string { return "auth/refresh/" + string(r) }

// OAuthState addresses the state parameter of a staff SSO login.
type OAuthState string

func (o OAuthState) String() string { return "auth/oauth-state/" + string(o) }

// Revoked addresses an entry of the access-token deny list.
type Revoked string

func (r Revoked) String() string { return "auth/revoked/" + string(r) }

// OTP addresses the verification code sent to a phone number.
type OTP string

func (o OTP) String() string { return "auth/otp/" + url.PathEscape(string(o)) }

// Tariff addresses the per-hour rate of a zone, in cents.
type Tariff struct {
	City string
	Zone string
}

func (t Tariff) String() string { return strings.Join([]string{"tariff", t.City, t.Zone}, "/") }
