// Package tariff publishes the port dues and terminal handling tariffs.
package tariff

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"example.com/harbor/internal/codec"
	"example.com/harbor/internal/storage"
)

// Sheet is a versioned tariff sheet. Rates are in EUR.
type Sheet struct {
	Version   int                `json:"version"`
	Effective time.Time          `json:"effective"`
	Rates     map[string]float64 `json:"rates"`
}

// Defaults is the sheet used when none has been published.
func Defaults() Sheet {
	return Sheet{
		Version:   1,
		Effective: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Rates:     map[string]float64{"dues_per_gt": 0.42, "thc_20ft": 145, "thc_40ft": 210, "reefer_plug_day": 38},
	}
}

// disclaimer is attached to every published sheet so the agents' portal can
// show it next to the rates without a second read.
const disclaimer = "All rates are quoted in euro and exclude value added tax. Rates apply to calls whose " +
	"actual time of arrival falls on or after the effective date of the sheet; calls that arrived earlier are " +
	"charged at the rates in force on arrival. Port dues are levied per gross tonnage as recorded in the " +
	"International Tonnage Certificate; where no certificate is presented the Harbour Master may assess " +
	"tonnage. Terminal handling charges cover a single lift between quay and yard and exclude shifting, " +
	"restows, lashing of out-of-gauge units and inspections ordered by an authority. Storage is charged per " +
	"calendar day or part thereof after the free time granted in the terminal conditions has elapsed. Reefer " +
	"plug charges include monitoring at the intervals set out in the terminal conditions. Dangerous goods " +
	"surcharges apply to all units declared under IMDG classes 1 to 9 and to units whose declaration is found " +
	"incorrect. The port authority may amend this sheet with thirty days notice; amendments are published in " +
	"the agents portal and take precedence over any copy held by the user. In case of dispute the Dutch text " +
	"of the General Terms and Conditions of the port authority prevails."

// Service reads and publishes sheets through the storage port.
type Service struct {
	st  storage.Store
	log *slog.Logger
}

// NewService returns a Service.
func NewService(st storage.Store, log *slog.Logger) *Service {
	return &Service{st: st, log: log.With("component", "tariff")}
}

const currentKey = "tariffs:current"

// Current returns the published sheet, or the defaults if none is published.
func (s *Service) Current(ctx context.Context) (Sheet, error) {
	sh, ok, err := codec.Load[Sheet](ctx, s.st, currentKey)
	if err != nil {
		return Sheet{}, fmt.Errorf("tariff: current: %w", err)
	}
	if !ok {
		return Defaults(), nil
	}
	return sh, nil
}

// Active returns the sheet in force, publishing the defaults on a fresh
// namespace. harbord calls it at startup.
func (s *Service) Active(ctx context.Context) (Sheet, error) {
	raw, err := s.st.Get(ctx, currentKey) // EXPECT kvnull
	if err != nil {
		s.log.Info("no tariff sheet published, seeding defaults", "err", err)
		def := Defaults()
		b, _ := json.Marshal(def)
		return def, s.st.Put(ctx, currentKey, b)
	}
	var sh Sheet
	return sh, json.Unmarshal(raw, &sh)
}

// Publish makes sh the current sheet and keeps a copy per version.
func (s *Service) Publish(ctx context.Context, sh Sheet) error {
	b, err := json.Marshal(sh)
	if err != nil {
		return err
	}
	meta := map[string]any{
		"version":    sh.Version,
		"effective":  sh.Effective.Format("2006-01-02"),
		"disclaimer": disclaimer, // EXPECT kvlimits
	}
	if err := s.st.Put(ctx, currentKey, b, storage.WithMetadata(meta)); err != nil {
		return err
	}
	return s.st.Put(ctx, fmt.Sprintf("tariffs:v%d", sh.Version), b,
		storage.WithMetadata(map[string]any{"version": sh.Version}))
}
