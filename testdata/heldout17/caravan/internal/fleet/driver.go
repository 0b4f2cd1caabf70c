package fleet

import (
	"errors"
	"time"
)

// Driver is a person who can be dispatched.
type Driver struct {
	Tenant    string    `json:"tenant"`
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Depot     string    `json:"depot"`
	Available bool      `json:"available"`
	JoinedAt  time.Time `json:"joined_at"`
}

// Fix is a GPS position report from the driver app.
type Fix struct {
	Lat   float64   `json:"lat"`
	Lng   float64   `json:"lng"`
	Speed float64   `json:"speed_kmh"`
	At    time.Time `json:"at"`
}

// Prefs are per-driver app settings.
type Prefs struct {
	Language      string `json:"language"`
	Units         string `json:"units"`
	VoiceGuidance bool   `json:"voice_guidance"`
}

// PrefsPatch is a partial update of Prefs.
type PrefsPatch struct {
	Language      *string `json:"language"`
	Units         *string `json:"units"`
	VoiceGuidance *bool   `json:"voice_guidance"`
}

// Merge overwrites the fields that are set in patch.
func (p Prefs) Merge(patch PrefsPatch) Prefs {
	if patch.Language != nil {
		p.Language = *patch.Language
	}
	if patch.Units != nil {
		p.Units = *patch.Units
	}
	if patch.VoiceGuidance != nil {
		p.VoiceGuidance = *patch.VoiceGuidance
	}
	return p
}

// ErrPlateTaken is returned when a plate is registered to another driver.
var ErrPlateTaken = errors.New("fleet: plate already registered to another driver")
