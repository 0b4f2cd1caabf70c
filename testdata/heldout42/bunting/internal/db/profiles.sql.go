package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

const profileCacheTTL = 15 * time.Minute

const getClinicianProfile = "profile:%s"

// GetClinicianProfile returns the cached profile of a clinician.
func (q *Queries) GetClinicianProfile(ctx context.Context, clinicianID string) (ClinicianProfile, error) {
	var p ClinicianProfile
	raw, err := q.db.QueryRow(ctx, fmt.Sprintf(getClinicianProfile, clinicianID))
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(raw, &p)
}

const cacheClinicianProfile = "profile:%s"

// CacheClinicianProfile stores a profile fetched from the directory service.
func (q *Queries) CacheClinicianProfile(ctx context.Context, p ClinicianProfile) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return q.db.Exec(ctx, fmt.Sprintf(cacheClinicianProfile, p.ID), raw, profileCacheTTL)
}

const getSlugOwner = "slug:%s"

// GetSlugOwner returns the clinician that owns a booking-page slug.
func (q *Queries) GetSlugOwner(ctx context.Context, slug string) (string, error) {
	raw, err := q.db.QueryRow(ctx, fmt.Sprintf(getSlugOwner, slug))
	return string(raw), err
}

const setSlugOwner = "slug:%s"

// SetSlugOwner assigns a booking-page slug to a clinician.
func (q *Queries) SetSlugOwner(ctx context.Context, slug, clinicianID string) error {
	return q.db.Exec(ctx, fmt.Sprintf(setSlugOwner, slug), []byte(clinicianID), 0)
}

const appendChartAccess = "chart-access:%s"

// AppendChartAccess adds an access line to the patient's chart access trail.
func (q *Queries) AppendChartAccess(ctx context.Context, patientID string, ev AuditEvent) error {
	key := fmt.Sprintf(appendChartAccess, patientID)
	prev, err := q.db.QueryRow(ctx, key) // EXPECT kvnull
	if err != nil {
		prev = nil
	}
	line, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	trail := string(prev) + string(line) + "\n"
	return q.db.Exec(ctx, key, []byte(trail), 0) // EXPECT kvrace
}
