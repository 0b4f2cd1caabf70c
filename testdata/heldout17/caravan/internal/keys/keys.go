// Package keys defines the storage key layout shared by all services. Keys
// are colon separated and start with a short kind prefix so a namespace can
// be listed by kind.
package keys

import (
	"bytes"
	"strings"
	"text/template"
	"time"
)

// Shipment identifies a shipment record of one tenant.
type Shipment struct{ Tenant, ID string }

func (k Shipment) String() string { return "shp:" + k.Tenant + ":" + k.ID }

// MarshalText implements encoding.TextMarshaler.
func (k Shipment) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Driver identifies a driver profile and the records hanging off it.
type Driver struct{ Tenant, ID string }

func (k Driver) String() string      { return "drv:" + k.Tenant + ":" + k.ID }
func (k Driver) Assignments() string { return "asg:" + k.Tenant + ":" + k.ID }
func (k Driver) Position() string    { return "pos:" + k.Tenant + ":" + k.ID }
func (k Driver) Prefs() string       { return "prefs:" + k.Tenant + ":" + k.ID }

// MarshalText implements encoding.TextMarshaler.
func (k Driver) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Plate is the key that reserves a licence plate inside a tenant.
func Plate(tenant, plate string) string {
	return "plate:" + tenant + ":" + strings.ToUpper(strings.ReplaceAll(plate, " ", ""))
}

func Session(id string) string      { return "sess:" + id }
func Refresh(hash string) string    { return "rt:" + hash }
func Challenge(nonce string) string { return "chal:" + nonce }
func Tracking(id string) string     { return "track:" + id }

// Route returns the cache key of a computed route.
func Route(profile, origin, dest string) string {
	return strings.NewReplacer("{profile}", profile, "{origin}", origin, "{dest}", dest).
		Replace("route:{profile}:{origin}:{dest}")
}

var scheduleTmpl = template.Must(template.New("schedule").Parse(
	`sched:{{.Depot}}:{{.Day.Format "2006-01-02"}}`))

// ScheduleKey names a published depot schedule.
type ScheduleKey struct {
	Depot string
	Day   time.Time
}

func (k ScheduleKey) String() string {
	var buf bytes.Buffer
	if err := scheduleTmpl.Execute(&buf, k); err != nil {
		panic(err) // static template over plain fields
	}
	return buf.String()
}

// Day and Month format the suffixes of daily and monthly keys.
func Day(t time.Time) string   { return t.UTC().Format("20060102") }
func Month(t time.Time) string { return t.UTC().Format("200601") }
