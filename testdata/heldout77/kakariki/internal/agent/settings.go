// Package agent runs the assistant: it assembles the prompt from the user's
// settings and memory, drives the model through tool calls, and records
// usage after every turn.
package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
)

// Settings shape every conversation of a user.
type Settings struct {
	Model       string  `json:"model"`
	Persona     string  `json:"persona"`
	Language    string  `json:"language"`
	Tone        string  `json:"tone"`
	Temperature float64 `json:"temperature"`
	MaxTurns    int     `json:"max_turns"`
	Memory      bool    `json:"memory"`
}

// Defaults apply when neither the operator nor the user set a field.
var Defaults = Settings{
	Model:       "kakariki-large-2",
	Persona:     "Kakariki, a concise personal assistant",
	Language:    "en",
	Tone:        "friendly",
	Temperature: 0.3,
	MaxTurns:    6,
	Memory:      true,
}

const globalSettingsKey = "settings:global"

func settingsKey(user string) string { return "settings:" + user }

func (s *Settings) overlay(o Settings) {
	if o.Model != "" {
		s.Model = o.Model
	}
	if o.Persona != "" {
		s.Persona = o.Persona
	}
	if o.Language != "" {
		s.Language = o.Language
	}
	if o.Tone != "" {
		s.Tone = o.Tone
	}
	if o.Temperature > 0 {
		s.Temperature = o.Temperature
	}
	if o.MaxTurns > 0 {
		s.MaxTurns = min(o.MaxTurns, 12)
	}
	s.Memory = o.Memory
}

// LoadSettings merges the defaults, the operator's global settings and the
// user's own settings.
func LoadSettings(ctx context.Context, store *kvstore.Store, user string) (Settings, error) {
	s := Defaults
	raw, err := store.Get(ctx, globalSettingsKey)
	if err != nil {
		return s, fmt.Errorf("load global settings: %w", err)
	}
	if len(raw) > 0 { // EXPECT kvnull
		var global Settings
		if err := json.Unmarshal(raw, &global); err != nil {
			return s, fmt.Errorf("decode global settings: %w", err)
		}
		s.overlay(global)
	}
	var mine Settings
	switch err := store.GetJSON(ctx, settingsKey(user), &mine); {
	case err == nil:
		s.overlay(mine)
	case !errors.Is(err, kvstore.ErrNotFound):
		return s, err
	}
	return s, nil
}

// Preferences lets the model change the user's settings when asked to
// ("answer in German from now on").
type Preferences struct {
	KV     *kvstore.Store
	UserID string
}

type preferenceArgs struct {
	Tone     string `json:"tone"`
	Language string `json:"language"`
	Persona  string `json:"persona"`
	Memory   *bool  `json:"memory"`
}

func (p *Preferences) Name() string        { return "preferences" }
func (p *Preferences) Description() string { return "Change how the assistant talks to the user." }
func (p *Preferences) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{"tone":{"type":"string"},"language":{"type":"string"},"persona":{"type":"string"},"memory":{"type":"boolean"}}}`)
}

// Call implements tools.Tool.
func (p *Preferences) Call(ctx context.Context, raw json.RawMessage) (string, error) {
	var args preferenceArgs
	if err := json.Unmarshal(raw, &args); err != nil {
		return "", fmt.Errorf("invalid arguments: %w", err)
	}
	var s Settings
	if err := p.KV.GetJSON(ctx, settingsKey(p.UserID), &s); err != nil { // EXPECT kvnull
		s = Settings{Memory: Defaults.Memory}
	}
	var changed []string
	if args.Tone != "" {
		s.Tone = args.Tone
		changed = append(changed, "tone")
	}
	if args.Language != "" {
		s.Language = args.Language
		changed = append(changed, "language")
	}
	if args.Persona != "" {
		s.Persona = args.Persona
		changed = append(changed, "persona")
	}
	if args.Memory != nil {
		s.Memory = *args.Memory
		changed = append(changed, "memory")
	}
	if len(changed) == 0 {
		return "Nothing to change.", nil
	}
	if err := p.KV.PutJSON(ctx, settingsKey(p.UserID), s, 0); err != nil { // EXPECT kvrace
		return "", err
	}
	return "Updated " + strings.Join(changed, ", ") + ".", nil
}
