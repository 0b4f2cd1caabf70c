package loans

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/wicket/internal/domain/catalog"
	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/kvport/memkv"
	"example.com/wicket/internal/tally"
)

type fakeILS struct {
	now    time.Time
	titles map[catalog.ISBN]catalog.Title
	loans  map[catalog.CopyID]catalog.Loan
}

func (f *fakeILS) Checkout(_ context.Context, p patron.ID, c catalog.CopyID) (catalog.Loan, error) {
	l := catalog.Loan{Copy: c, ISBN: "9780140449136", Patron: p, OutAt: f.now, DueAt: f.now.Add(21 * 24 * time.Hour)}
	f.loans[c] = l
	return l, nil
}

func (f *fakeILS) Checkin(_ context.Context, c catalog.CopyID) error {
	delete(f.loans, c)
	return nil
}

func (f *fakeILS) Title(_ context.Context, isbn catalog.ISBN) (catalog.Title, error) {
	return f.titles[isbn], nil
}

func (f *fakeILS) ActiveLoans(_ context.Context, p patron.ID) ([]catalog.Loan, error) {
	var out []catalog.Loan
	for _, l := range f.loans {
		if l.Patron == p {
			out = append(out, l)
		}
	}
	return out, nil
}

func (f *fakeILS) Patron(_ context.Context, p patron.ID) (patron.Patron, error) {
	return patron.Patron{ID: p, Tier: patron.TierStandard}, nil
}

func TestCheckoutRenewAndHolds(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	ils := &fakeILS{
		now:    now,
		titles: map[catalog.ISBN]catalog.Title{"9780140449136": {ISBN: "9780140449136", Name: "Crime and Punishment", Format: "book"}},
		loans:  map[catalog.CopyID]catalog.Loan{},
	}
	svc := New(ils, memkv.New(), &tally.Memory{})
	loan, err := svc.Checkout(ctx, "p-1", "C0001234")
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := svc.Renew(ctx, loan.Copy)
	if err != nil {
		t.Fatal(err)
	}
	if want := loan.DueAt.Add(21 * 24 * time.Hour); !renewed.DueAt.Equal(want) || renewed.Renewals != 1 {
		t.Fatalf("renewed: %+v", renewed)
	}

	for i, p := range []patron.ID{"p-2", "p-3"} {
		pos, err := svc.PlaceHold(ctx, "9780140449136", p)
		if err != nil || pos != i+1 {
			t.Fatalf("hold %s: pos=%d err=%v", p, pos, err)
		}
	}
	if _, err := svc.PlaceHold(ctx, "9780140449136", "p-2"); !errors.Is(err, ErrAlreadyQueued) {
		t.Fatalf("duplicate hold: %v", err)
	}
	if pos, _ := svc.Position(ctx, "9780140449136", "p-3"); pos != 2 {
		t.Fatalf("position = %d", pos)
	}
}
