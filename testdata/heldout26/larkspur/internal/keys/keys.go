// Package keys builds every KV key the platform uses. A Space carries the
// deployment prefix from configuration so that preview deployments can
// share a namespace with production without colliding.
package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Space builds keys under one deployment prefix.
type Space struct {
	prefix string
}

// New returns a Space whose keys all start with prefix. A trailing colon is
// added when missing.
func New(prefix string) Space {
	if prefix != "" && !strings.HasSuffix(prefix, ":") {
		prefix += ":"
	}
	return Space{prefix: prefix}
}

// Prefix returns the deployment prefix, including its trailing colon.
func (s Space) Prefix() string { return s.prefix }

// EmailHash normalises an address and returns its SHA-256 in hex, so that
// raw addresses never appear in key names or listings.
func EmailHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// Subscriber is the record of one address on one list.
func (s Space) Subscriber(listID, emailHash string) string {
	return s.prefix + "sub:" + listID + ":" + emailHash
}

// Subscribers is the listing prefix of one list's subscribers.
func (s Space) Subscribers(listID string) string { return s.prefix + "sub:" + listID + ":" }

// ListIndex holds the confirmed subscriber IDs of a list.
func (s Space) ListIndex(listID string) string { return s.prefix + "list-index:" + listID }

// ListCount caches the size of a list as computed by the backend database.
func (s Space) ListCount(listID string) string { return s.prefix + "list-count:" + listID }

// Confirm is a pending double-opt-in confirmation.
func (s Space) Confirm(token string) string { return s.prefix + "optin:" + token }

// Confirms is the listing prefix of pending confirmations.
func (s Space) Confirms() string { return s.prefix + "optin:" }

// Unsub maps an unsubscribe token to the subscriber it belongs to.
func (s Space) Unsub(token string) string { return s.prefix + "unsub:" + token }

// Session is an editor session. Sessions are grouped by user so that all of
// a user's sessions share a listing prefix.
func (s Space) Session(userID, sessionID string) string {
	return s.prefix + "sess:" + userID + ":" + sessionID
}

// Sessions is the listing prefix of one user's sessions.
func (s Space) Sessions(userID string) string { return s.prefix + "sess:" + userID + ":" }

// Revoked marks a sender API token as revoked.
func (s Space) Revoked(tokenID string) string { return s.prefix + "revoked:" + tokenID }

// Draft is a campaign draft.
func (s Space) Draft(id string) string { return s.prefix + "draft:" + id }

// Drafts is the listing prefix of all drafts.
func (s Space) Drafts() string { return s.prefix + "draft:" }

// Schedule is the send schedule of a campaign.
func (s Space) Schedule(campaignID string) string { return s.prefix + "schedule:" + campaignID }

// Status is the delivery status of a campaign.
func (s Space) Status(campaignID string) string { return s.prefix + "status:" + campaignID }

// Lock is a named advisory lock.
func (s Space) Lock(name string) string { return s.prefix + "lock:" + name }

// Quota is a sender's usage for one window, e.g. "2025-06-01".
func (s Space) Quota(senderID, window string) string {
	return s.prefix + "quota:" + senderID + ":" + window
}

// PlanLimit is the send limit override of a sender.
func (s Space) PlanLimit(senderID string) string { return s.prefix + "plan-limit:" + senderID }

// Usage is a sender's month-to-date usage record.
func (s Space) Usage(senderID, month string) string {
	return s.prefix + "usage:" + senderID + ":" + month
}

// Bounces is the bounce history of one address.
func (s Space) Bounces(emailHash string) string { return s.prefix + "bounces:" + emailHash }

// Suppressed marks an address that must not be mailed again.
func (s Space) Suppressed(emailHash string) string { return s.prefix + "suppressed:" + emailHash }

// Export is one part of a list export.
func (s Space) Export(exportID string, part int) string {
	return s.prefix + "export:" + exportID + ":" + strconv.Itoa(part)
}

// ExportManifest describes a finished export.
func (s Space) ExportManifest(exportID string) string {
	return s.prefix + "export-manifest:" + exportID
}

// Slug maps a public archive slug to a sender.
func (s Space) Slug(slug string) string { return s.prefix + "slug:" + slug }

// Archive is a rendered public archive page.
func (s Space) Archive(senderID, campaignID string) string {
	return s.prefix + "archive:" + senderID + ":" + campaignID
}

// Preview is a rendered draft preview.
func (s Space) Preview(draftID string) string { return s.prefix + "preview:" + draftID }

// Template is a rendered template, keyed by its source.
func (s Space) Template(source string) string { return s.prefix + "tmpl:" + source }

// Audit is the audit trail of a campaign.
func (s Space) Audit(campaignID string) string { return s.prefix + "audit:" + campaignID }

// LatestSignup holds the most recent confirmed signup, shown on the status
// page of the dashboard.
func (s Space) LatestSignup() string { return s.prefix + "signup:latest" }

// Undo is an unsubscribe that can still be taken back.
func (s Space) Undo(token string) string { return s.prefix + "unsub-undo:" + token }

// Due marks a campaign that is scheduled to go out at sendAt. Keys sort by
// send time so the scheduler can stop at the first one in the future.
func (s Space) Due(sendAt int64, campaignID string) string {
	return s.prefix + "due:" + strconv.FormatInt(sendAt, 10) + ":" + campaignID
}

// DuePrefix is the listing prefix of Due keys.
func (s Space) DuePrefix() string { return s.prefix + "due:" }
