// Package keys defines the typed KV key layout. Every key type renders itself
// through String so that the layout lives in one place.
package keys

import (
	"fmt"
	"strings"
	"time"
)

const dayLayout = "2006-01-02"

// DockKey addresses the availability record of one docking station.
type DockKey struct {
	City    string
	Station string
}

func (k DockKey) String() string { return "dock:" + k.City + ":" + k.Station }

// CityDocksKey addresses the per-city availability summary.
type CityDocksKey struct{ City string }

func (k CityDocksKey) String() string { return "docksummary:" + k.City }

// DockPrefix is the listing prefix for every dock of a city.
func DockPrefix(city string) string { return "dock:" + city + ":" }

// UnlockKey addresses an unlock code issued for a vehicle.
type UnlockKey struct {
	Vehicle string
	Code    string
}

func (k UnlockKey) String() string { return "unlock:" + k.Vehicle + ":" + k.Code }

// UnlockAttemptsKey addresses the failed-attempt tally for a vehicle.
type UnlockAttemptsKey struct{ Vehicle string }

func (k UnlockAttemptsKey) String() string { return "attempts:unlock:" + k.Vehicle }

// WalletKey addresses a rider's stored balance.
type WalletKey struct{ Rider string }

func (k WalletKey) String() string { return "wallet:" + k.Rider }

// CouponKey addresses a promo coupon definition.
type CouponKey struct{ Code string }

func (k CouponKey) String() string { return "coupon:" + strings.ToUpper(k.Code) }

// ReferralKey addresses a rider-chosen referral code.
type ReferralKey struct{ Code string }

func (k ReferralKey) String() string { return "referral:" + strings.ToLower(k.Code) }

// TicketLogKey addresses the free-text work log of a ticket.
type TicketLogKey struct{ ID string }

func (k TicketLogKey) String() string { return "ticketlog:" + k.ID }

// GeofenceKey addresses the published geofence of a city.
type GeofenceKey struct{ City string }

func (k GeofenceKey) String() string { return "geofence:" + k.City }

// BoardKey addresses a city's ride leaderboard for one day.
type BoardKey struct {
	City string
	Day  time.Time
}

func (k BoardKey) String() string { return "board:" + k.City + ":" + k.Day.UTC().Format(dayLayout) }

// RiderDistanceKey addresses the lifetime distance of a rider, in metres.
type RiderDistanceKey struct{ Rider string }

func (k RiderDistanceKey) String() string { return "distance:" + k.Rider }

// SessionKey addresses a rider session.
type SessionKey struct{ ID string }

func (k SessionKey) String() string { return "sess:" + k.ID }

// RefreshKey addresses a refresh token record.
type RefreshKey struct{ Token string }

func (k RefreshKey) String() string { return "refresh:" + k.Token }

// QuotaKey addresses the request tally of a city for one window.
type QuotaKey struct {
	City   string
	Window time.Time
}

func (k QuotaKey) String() string {
	return fmt.Sprintf("quota:%s:%d", k.City, k.Window.Unix())
}

// RideKey addresses a finished ride record, grouped by UTC day for exports.
type RideKey struct {
	Day time.Time
	ID  string
}

func (k RideKey) String() string { return RidePrefix(k.Day) + k.ID }

// RidePrefix is the listing prefix for every ride that ended on day.
func RidePrefix(day time.Time) string { return "ride:" + day.UTC().Format(dayLayout) + ":" }

// ExportKey addresses one part of a daily export.
type ExportKey struct {
	Day  time.Time
	Part int
}

func (k ExportKey) String() string {
	return fmt.Sprintf("export:%s:%04d", k.Day.UTC().Format(dayLayout), k.Part)
}
