package optin

import (
	"context"
	"sync"

	"pukeko/internal/keys"
	"pukeko/internal/kvstore"
)

// ListSettings are the per-list knobs editable in the dashboard.
type ListSettings struct {
	Name        string   `json:"name"`
	FromAddress string   `json:"from"`
	ReplyTo     string   `json:"reply_to,omitzero"`
	DoubleOptIn bool     `json:"double_opt_in"`
	Topics      []string `json:"topics,omitzero"`
	Footer      string   `json:"footer,omitzero"`
}

// DefaultSettings are applied to a list that has never been configured.
func DefaultSettings(list keys.ListID) ListSettings {
	return ListSettings{Name: string(list), FromAddress: "newsletter@pukeko.email", DoubleOptIn: true}
}

func settingsKey(list keys.ListID) string { return "list:" + string(list) + ":settings" }

// Settings returns the settings of list, seeding the defaults on first use.
func (s *Service) Settings(ctx context.Context, list keys.ListID) (ListSettings, error) {
	key := settingsKey(list)
	var ls ListSettings
	if err := s.Subs.GetJSON(ctx, key, &ls); err != nil { // EXPECT kvnull
		ls = DefaultSettings(list)
		if err := s.Subs.PutJSON(ctx, key, ls, nil); err != nil {
			return ListSettings{}, err
		}
	}
	return ls, nil
}

// SaveSettings replaces the settings of list with ls as edited in the form.
func (s *Service) SaveSettings(ctx context.Context, list keys.ListID, ls ListSettings) error {
	return s.Subs.PutJSON(ctx, settingsKey(list), ls, nil)
}

// SettingsLoader returns a loader that reads the settings of list at most
// once, for the duration of one send.
func (s *Service) SettingsLoader(ctx context.Context, list keys.ListID) func() (ListSettings, error) {
	return sync.OnceValues(func() (ListSettings, error) {
		var ls ListSettings
		err := s.Subs.GetJSON(ctx, settingsKey(list), &ls)
		if kvstore.IsNotFound(err) {
			return DefaultSettings(list), nil
		}
		return ls, err
	})
}
