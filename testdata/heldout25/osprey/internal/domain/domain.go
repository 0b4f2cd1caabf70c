// Package domain holds the records of the deployment control plane.
package domain

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"
)

// Common errors shared by the services.
var (
	ErrConflict  = errors.New("conflict")
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrLimited   = errors.New("rate limited")
	ErrExpired   = errors.New("expired")
)

// Stamp is embedded in records that track creation and update times.
type Stamp struct {
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Touch sets UpdatedAt (and CreatedAt on first use).
func (s *Stamp) Touch(now time.Time) {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	s.UpdatedAt = now
}

// Project is a deployable application.
type Project struct {
	Stamp
	ID           string   `json:"id"`
	Slug         string   `json:"slug"`
	Name         string   `json:"name"`
	Owner        string   `json:"owner"`
	Environments []string `json:"environments"`
	Repo         struct {
		URL    string `json:"url"`
		Branch string `json:"branch"`
	} `json:"repo"`
}

// Environment is one deploy target of a project.
type Environment struct {
	Stamp
	Project string            `json:"project"`
	Name    string            `json:"name"`
	Region  string            `json:"region"`
	Vars    map[string]string `json:"vars"`
}

// DeployLock prevents concurrent deploys to an environment.
type DeployLock struct {
	Project     string    `json:"project"`
	Environment string    `json:"environment"`
	Holder      string    `json:"holder"`
	Reason      string    `json:"reason"`
	AcquiredAt  time.Time `json:"acquired_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// BuildState is the lifecycle state of a build.
type BuildState string

const (
	BuildQueued  BuildState = "queued"
	BuildRunning BuildState = "running"
	BuildPassed  BuildState = "passed"
	BuildFailed  BuildState = "failed"
)

// Build is the status of a CI build.
type Build struct {
	Stamp
	ID          string     `json:"id"`
	Project     string     `json:"project"`
	Commit      string     `json:"commit"`
	State       BuildState `json:"state"`
	DurationSec int        `json:"duration_sec"`
}

// Flag is a feature flag with per-environment values.
type Flag struct {
	Stamp
	Key     string          `json:"key"`
	Project string          `json:"project"`
	Enabled map[string]bool `json:"enabled"`
	Rollout int             `json:"rollout"`
}

// FlagSet is every flag of a project, stored as one document for fast reads.
type FlagSet struct {
	Project string          `json:"project"`
	Flags   map[string]Flag `json:"flags"`
	Version int             `json:"version"`
}

// APIToken is a long-lived credential scoped to a project.
type APIToken struct {
	ID        string    `json:"id"`
	Project   string    `json:"project"`
	Name      string    `json:"name"`
	Hash      string    `json:"hash"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
	LastUsed  time.Time `json:"last_used"`
}

// Session is a dashboard login.
type Session struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Invitation lets someone join a project once.
type Invitation struct {
	Code      string    `json:"code"`
	Project   string    `json:"project"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	InvitedBy string    `json:"invited_by"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AuditEntry is one line of a project's audit log.
type AuditEntry struct {
	At      time.Time `json:"at"`
	Project string    `json:"project"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Target  string    `json:"target"`
}

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
