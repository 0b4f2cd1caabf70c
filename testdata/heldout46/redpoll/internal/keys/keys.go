// Package keys builds every KV key the service uses. Keys are grouped under
// slash-separated "folders" so the sweeper can walk them by prefix.
package keys

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"path"
	"strconv"
	"strings"
)

const (
	PostingsDir     = "postings/"
	ListingsDir     = "listings/"
	SessionsDir     = "sess/"
	MagicDir        = "magic/"
	SavedDir        = "saved/"
	SlugsDir        = "slug/"
	ApplicationsDir = "applications/"
)

// EmailHash returns a stable, non-reversible identifier for an e-mail address.
func EmailHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// Posting is the canonical record of a job posting.
func Posting(id string) string { return path.Join("postings", id) }

// PostingByEmployer indexes postings under their employer's folder.
func PostingByEmployer(employerID, id string) string {
	return path.Join("postings", "by-employer", url.PathEscape(employerID), id)
}

// Listing is a rendered, cached search-results page.
func Listing(city, category string, page int) string {
	var b strings.Builder
	b.WriteString(ListingsDir)
	b.WriteString(url.PathEscape(strings.ToLower(city)))
	b.WriteByte('/')
	b.WriteString(url.PathEscape(strings.ToLower(category)))
	b.WriteString("/p")
	b.WriteString(strconv.Itoa(page))
	return b.String()
}

// Login holds an employer's credential record, keyed by hashed e-mail.
func Login(email string) string { return "login/" + EmailHash(email) }

// LoginAttempts tracks failed sign-ins for an address.
func LoginAttempts(email string) string { return "attempts/login/" + EmailHash(email) }

// Session is a browser session.
func Session(id string) string { return SessionsDir + id }

// EmployerSessions lists the session IDs of one employer.
func EmployerSessions(employerID string) string {
	return strings.Join([]string{"sess-index", url.PathEscape(employerID)}, "/")
}

// MagicLink is a one-time sign-in token.
func MagicLink(token string) string { return MagicDir + token }

// SavedSearches holds a job seeker's saved queries.
func SavedSearches(userID string) string {
	return strings.Join([]string{"saved", url.PathEscape(userID)}, "/")
}

// Slug maps a public company slug to its employer.
func Slug(slug string) string { return SlugsDir + strings.ToLower(slug) }

// Applications is the number of applications a posting received.
func Applications(postingID string) string {
	return path.Join("applications", "count", postingID)
}

// Quota is an employer's monthly posting usage.
func Quota(employerID, month string) string {
	return strings.Join([]string{"quota", employerID, month}, ":")
}

// Views counts detail-page views of a posting.
func Views(postingID string) string { return "views/" + postingID }
