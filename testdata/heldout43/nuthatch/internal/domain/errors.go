// Package domain holds the sentinel errors and small value types shared by the
// edge Worker and the backend services.
package domain

import "errors"

var (
	// ErrNotFound is returned when a record does not exist in the store.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a record is already held by someone else.
	ErrConflict = errors.New("conflict")
	// ErrThrottled is returned when the store asks us to slow down (HTTP 429).
	ErrThrottled = errors.New("throttled")
	// ErrExpired is returned for permits, sessions and links past their lifetime.
	ErrExpired = errors.New("expired")
	// ErrUnauthorized is returned when a credential is missing or no longer valid.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrUnknownTenant is returned when a city is not configured.
	ErrUnknownTenant = errors.New("unknown tenant")
)

// Verdict is the outcome of an enforcement check for a plate in a zone.
type Verdict string

const (
	VerdictPermit  Verdict = "permit"
	VerdictPaid    Verdict = "paid"
	VerdictExempt  Verdict = "exempt"
	VerdictViolate Verdict = "violation"
)
