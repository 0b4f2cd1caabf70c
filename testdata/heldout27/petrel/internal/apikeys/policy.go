package apikeys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/storage"
)

// Policy limits what a team may do with keys.
type Policy struct {
	MaxKeys       int      `json:"max_keys"`
	AllowedScopes []string `json:"allowed_scopes"`
}

var defaultPolicy = Policy{MaxKeys: 25, AllowedScopes: []string{"read", "write", "deploy"}}

func policyKey(team ident.TeamID) string { return "policy/" + string(team) }

// TeamPolicy returns the team's policy. Teams created before the port
// still have theirs in the legacy layout, read through the old client.
func (s *Service) TeamPolicy(ctx context.Context, team ident.TeamID) (Policy, error) {
	if s.legacy == nil {
		return s.policyFromStore(ctx, team)
	}
	raw, err := s.legacy.Raw(ctx, policyKey(team)) // EXPECT kvnull
	if err != nil {
		// No policy yet: seed the default so admins can edit it.
		seed, _ := json.Marshal(defaultPolicy)
		if err := s.st.Put(ctx, policyKey(team), seed, storage.PutOptions{}); err != nil {
			return Policy{}, err
		}
		return defaultPolicy, nil
	}
	var p Policy
	if err := json.Unmarshal(raw, &p); err != nil {
		return Policy{}, fmt.Errorf("apikeys: policy of %s: %w", team, err)
	}
	return p, nil
}

func (s *Service) policyFromStore(ctx context.Context, team ident.TeamID) (Policy, error) {
	raw, err := s.st.Get(ctx, policyKey(team))
	if errors.Is(err, storage.ErrNotFound) {
		return defaultPolicy, nil
	}
	if err != nil {
		return Policy{}, err
	}
	var p Policy
	if err := json.Unmarshal(raw, &p); err != nil {
		return Policy{}, fmt.Errorf("apikeys: policy of %s: %w", team, err)
	}
	return p, nil
}
