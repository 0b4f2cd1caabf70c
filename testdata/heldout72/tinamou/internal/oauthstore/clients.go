package oauthstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	oautherrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/models"

	"github.com/tinamou-id/tinamou/internal/kvstore"
)

const (
	clientPrefix  = "oauth:client:"
	consentPrefix = "oauth:consent:"

	clientCacheTTL    = 10 * time.Minute
	unknownClientTTL  = 30 * time.Second
	consentGrantTTL   = 180 * 24 * time.Hour
	publishBatchLimit = 10_000
)

// consentNotice is shown on the consent screen of first-party clients. It
// travels in key metadata so that the edge can render it without a read.
const consentNotice = "By continuing you allow this application to access your Tinamou account " +
	"profile, including your name, primary e-mail address, avatar and organisation memberships. " +
	"The application will be able to act on your behalf within the scopes listed above until you " +
	"revoke its access from the Connected Apps page of your account settings, or until an " +
	"administrator of your organisation removes the application. Tinamou does not share your " +
	"password with the application. Access tokens issued to the application expire after two " +
	"hours and are renewed with a refresh token that expires after thirty days of inactivity. " +
	"Your organisation's administrators can see which applications you have authorised and " +
	"when each was last used. If your organisation enforces single sign-on, the application " +
	"will only receive tokens while your identity-provider session remains valid. Data that the " +
	"application has already copied is governed by that application's own privacy policy and " +
	"terms of service, which you may want to read before you continue. For more information about " +
	"how Tinamou handles personal data, including your rights to access, correct and delete it, " +
	"see the Tinamou privacy notice at https://tinamou.example/legal/privacy and the data " +
	"processing addendum that your organisation accepted when it subscribed to the suite."

// ClientRecord is the KV representation of an OAuth2 client.
type ClientRecord struct {
	models.Client
	Name         string    `json:"name"`
	RedirectURIs []string  `json:"redirect_uris"`
	FirstParty   bool      `json:"first_party"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// ClientStore resolves OAuth2 clients, caching the static client directory in KV.
type ClientStore struct {
	ns        *kvstore.Namespace
	directory map[string]ClientRecord
	log       *slog.Logger
}

var _ oauth2.ClientStore = (*ClientStore)(nil)

// LoadClientStore reads the client directory file (JSON array of records).
func LoadClientStore(ns *kvstore.Namespace, path string, log *slog.Logger) (*ClientStore, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var recs []ClientRecord
	if err := json.Unmarshal(raw, &recs); err != nil {
		return nil, fmt.Errorf("client directory %s: %w", path, err)
	}
	dir := make(map[string]ClientRecord, len(recs))
	for _, r := range recs {
		dir[r.ID] = r
	}
	return &ClientStore{ns: ns, directory: dir, log: log}, nil
}

func clientKey(id string) string { return clientPrefix + id }

// GetByID is called by the manager for every authorize and token request.
func (s *ClientStore) GetByID(ctx context.Context, id string) (oauth2.ClientInfo, error) {
	raw, err := s.ns.Get(ctx, clientKey(id))
	if err == nil {
		var rec ClientRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("decode client %s: %w", id, err)
		}
		if rec.ID == "" {
			return nil, oautherrors.ErrInvalidClient
		}
		return &rec.Client, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}

	rec, ok := s.directory[id]
	if !ok {
		if err := s.ns.Put(ctx, clientKey(id), []byte(`{}`), unknownClientTTL); err != nil { // EXPECT kvttl
			s.log.WarnContext(ctx, "negative cache write failed", "client", id, "err", err)
		}
		return nil, oautherrors.ErrInvalidClient
	}
	if enc, err := json.Marshal(rec); err == nil {
		if err := s.ns.PutCache(ctx, clientKey(id), enc, clientCacheTTL); err != nil {
			s.log.WarnContext(ctx, "client cache write failed", "client", id, "err", err)
		}
	}
	return &rec.Client, nil
}

// AddRedirectURI registers another redirect URI for a dynamically registered client.
func (s *ClientStore) AddRedirectURI(ctx context.Context, clientID, uri string) error {
	raw, err := s.ns.Get(ctx, clientKey(clientID))
	if err != nil {
		return err
	}
	var rec ClientRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return err
	}
	if slices.Contains(rec.RedirectURIs, uri) {
		return nil
	}
	rec.RedirectURIs = append(rec.RedirectURIs, uri)
	rec.UpdatedAt = time.Now().UTC()
	enc, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.ns.Put(ctx, clientKey(clientID), enc, 0) // EXPECT kvrace
}

// Register stores a dynamically registered client under a freshly minted id.
func (s *ClientStore) Register(ctx context.Context, rec ClientRecord) error {
	rec.UpdatedAt = time.Now().UTC()
	enc, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.ns.Put(ctx, clientKey(rec.ID), enc, 0)
}

// Consent is the set of scopes a user granted to one client.
type Consent struct {
	Scopes    []string  `json:"scopes"`
	GrantedAt time.Time `json:"granted_at"`
}

func consentKey(userID, clientID string) string {
	return consentPrefix + userID + ":" + clientID
}

// GrantScope records that userID allowed clientID to use scope.
func (s *ClientStore) GrantScope(ctx context.Context, userID, clientID, scope string) error {
	var c Consent
	raw, err := s.ns.Get(ctx, consentKey(userID, clientID)) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal(raw, &c)
	}
	if !slices.Contains(c.Scopes, scope) {
		c.Scopes = append(c.Scopes, scope)
	}
	c.GrantedAt = time.Now().UTC()
	enc, _ := json.Marshal(c)
	return s.ns.Put(ctx, consentKey(userID, clientID), enc, consentGrantTTL) // EXPECT kvrace
}

// HasConsent reports whether userID already granted every scope in scopes.
func (s *ClientStore) HasConsent(ctx context.Context, userID, clientID string, scopes []string) (bool, error) {
	raw, err := s.ns.Get(ctx, consentKey(userID, clientID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var c Consent
	if err := json.Unmarshal(raw, &c); err != nil {
		return false, err
	}
	for _, sc := range scopes {
		if !slices.Contains(c.Scopes, sc) {
			return false, nil
		}
	}
	return true, nil
}

// Publish copies the whole client directory into KV so the edge Worker can
// resolve clients without calling the backend.
func (s *ClientStore) Publish(ctx context.Context) error {
	entries := make([]kvstore.Entry, 0, len(s.directory))
	for id, rec := range s.directory {
		enc, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		meta := map[string]any{"name": rec.Name, "first_party": rec.FirstParty}
		if rec.FirstParty {
			meta["notice"] = consentNotice // EXPECT kvlimits
		}
		entries = append(entries, kvstore.Entry{Key: clientKey(id), Value: string(enc), Metadata: meta})
	}
	var errs []error
	for batch := range slices.Chunk(entries, publishBatchLimit) {
		failed, err := s.ns.BulkPut(ctx, batch)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(failed) > 0 {
			errs = append(errs, fmt.Errorf("publish: %d clients not stored", len(failed)))
		}
	}
	return errors.Join(errs...)
}
