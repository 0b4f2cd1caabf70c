// Package patients stores patient preferences and intake forms.
package patients

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"bunting/internal/kvstore"
)

// Preferences are a patient's notification settings.
type Preferences struct {
	PatientID  string   `json:"patient_id"`
	Channels   []string `json:"channels"`
	QuietHours string   `json:"quiet_hours"`
}

// Key returns the preferences key.
func (p *Preferences) Key() string { return "prefs:" + p.PatientID }

// AddChannel turns on a notification channel (sms, email, push).
func AddChannel(ctx context.Context, st *kvstore.Store, patientID, channel string) error {
	prefs := Preferences{PatientID: patientID}
	if err := kvstore.Fill(ctx, st, &prefs); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if slices.Contains(prefs.Channels, channel) {
		return nil
	}
	prefs.Channels = append(prefs.Channels, channel)
	return kvstore.Save(ctx, st, &prefs, 0) // EXPECT kvrace
}

// SetPreferences replaces the settings with what the patient submitted on
// the settings page.
func SetPreferences(ctx context.Context, st *kvstore.Store, in Preferences) error {
	return kvstore.Save(ctx, st, &in, 0)
}

// Intake is a submitted pre-visit questionnaire.
type Intake struct {
	ID            string            `json:"id"`
	PatientID     string            `json:"patient_id"`
	AppointmentID string            `json:"appointment_id"`
	Answers       map[string]string `json:"answers"`
	SubmittedAt   time.Time         `json:"submitted_at"`
}

// Key returns the intake key.
func (i *Intake) Key() string { return "intake:" + i.AppointmentID + ":" + i.ID }

const intakeLifetime = 30 * 24 * time.Hour

// SubmitIntake stores a questionnaire under a fresh ID.
func SubmitIntake(ctx context.Context, st *kvstore.Store, in Intake) (Intake, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return in, err
	}
	in.ID = hex.EncodeToString(b)
	in.SubmittedAt = time.Now().UTC()
	return in, kvstore.Save(ctx, st, &in, intakeLifetime)
}

// LoadIntake fills in from KV; AppointmentID and ID must be set.
func LoadIntake(ctx context.Context, st *kvstore.Store, in *Intake) error {
	return kvstore.Fill(ctx, st, in)
}
