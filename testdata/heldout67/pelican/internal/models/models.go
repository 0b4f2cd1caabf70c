// Package models holds Pelican's GORM models. Several models project
// themselves into Workers KV from their lifecycle hooks so that the edge
// Worker sees new keys, plans and sessions without calling the backend.
package models

import (
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/pelicanhq/pelican/internal/kvstore"
)

// Edge is the namespace the hooks publish into. cmd/pelican-api sets it
// before the first query runs.
var Edge *kvstore.Store

// ErrSlugTaken is returned when a developer portal slug is already claimed.
var ErrSlugTaken = errors.New("models: slug already taken")

// Developer is a portal account.
type Developer struct {
	ID           uint   `gorm:"primaryKey"`
	Email        string `gorm:"uniqueIndex"`
	Slug         string `gorm:"uniqueIndex"`
	PasswordHash string
	PlanCode     string
	VerifiedAt   *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Plan is a billing plan with the limits the edge enforces.
type Plan struct {
	ID                uint   `gorm:"primaryKey"`
	Code              string `gorm:"uniqueIndex"`
	Name              string
	RequestsPerMinute int
	RequestsPerDay    int
	TrialDays         int
	UpdatedAt         time.Time
}

// APIKey is a developer's credential for the public API. Only the SHA-256
// of the secret is stored.
type APIKey struct {
	ID          uint `gorm:"primaryKey"`
	DeveloperID uint `gorm:"index"`
	Prefix      string
	Hash        string `gorm:"uniqueIndex"`
	PlanCode    string
	Scopes      string
	RevokedAt   *time.Time
	LastUsedAt  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   gorm.DeletedAt `gorm:"index"`
}

// QuotaOverride raises or lowers one key's per-minute limit.
type QuotaOverride struct {
	ID                uint   `gorm:"primaryKey"`
	KeyHash           string `gorm:"index"`
	RequestsPerMinute int
	Reason            string
	CreatedAt         time.Time
}

// Session is a developer portal login.
type Session struct {
	ID          string `gorm:"primaryKey"`
	DeveloperID uint   `gorm:"index"`
	UserAgent   string
	LastSeenAt  time.Time
	ExpiresAt   time.Time
	CreatedAt   time.Time
}

// EmailVerification is a pending address confirmation.
type EmailVerification struct {
	Token       string `gorm:"primaryKey"`
	DeveloperID uint
	Email       string
	CreatedAt   time.Time
}

// UsageRecord is one flushed batch of metered requests.
type UsageRecord struct {
	ID        uint   `gorm:"primaryKey"`
	KeyHash   string `gorm:"index"`
	Day       string `gorm:"index"`
	Requests  int64
	CreatedAt time.Time
}

// AuditEntry records administrative changes.
type AuditEntry struct {
	ID          uint `gorm:"primaryKey"`
	DeveloperID uint
	Action      string
	Detail      string
	CreatedAt   time.Time
}

// EdgeKey is the record the Worker reads for an API key.
type EdgeKey struct {
	KeyID       uint       `json:"kid"`
	DeveloperID uint       `json:"dev"`
	Plan        string     `json:"plan"`
	Scopes      string     `json:"scopes"`
	Status      string     `json:"status"`
	LastUsedAt  *time.Time `json:"last_used_at,omitempty"`
}

// EdgePlan is the record the Worker reads for a plan.
type EdgePlan struct {
	Code      string `json:"code"`
	PerMinute int    `json:"rpm"`
	PerDay    int    `json:"rpd"`
}

// EdgeSession is the record the Worker reads to show portal pages.
type EdgeSession struct {
	DeveloperID uint      `json:"dev"`
	ExpiresAt   time.Time `json:"exp"`
	Theme       string    `json:"theme,omitempty"`
}

// KeyName returns the KV key for an API key hash.
func KeyName(hash string) string { return "ak:" + hash }

// PlanName returns the KV key for a plan code.
func PlanName(code string) string { return "plan:" + code }

func (k *APIKey) edgeRecord() ([]byte, error) {
	status := "active"
	if k.RevokedAt != nil {
		status = "revoked"
	}
	return json.Marshal(EdgeKey{
		KeyID:       k.ID,
		DeveloperID: k.DeveloperID,
		Plan:        k.PlanCode,
		Scopes:      k.Scopes,
		Status:      status,
	})
}

func (p *Plan) edgeRecord() ([]byte, error) {
	return json.Marshal(EdgePlan{Code: p.Code, PerMinute: p.RequestsPerMinute, PerDay: p.RequestsPerDay})
}

func (s *Session) edgeRecord() ([]byte, error) {
	return json.Marshal(EdgeSession{DeveloperID: s.DeveloperID, ExpiresAt: s.ExpiresAt})
}
