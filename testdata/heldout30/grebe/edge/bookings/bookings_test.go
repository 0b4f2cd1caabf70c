package bookings

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/flags"
	"example.com/grebe/internal/store/memstore"
)

type fakeCodes struct {
	issued  int
	revoked []string
	fail    bool
}

func (f *fakeCodes) Issue(_ context.Context, site domain.SiteID, m domain.MemberID) (domain.DoorCode, error) {
	if f.fail {
		return domain.DoorCode{}, errors.New("door controller offline")
	}
	f.issued++
	return domain.DoorCode{Code: "123456", Site: site, Member: m}, nil
}

func (f *fakeCodes) Revoke(_ domain.SiteID, code string) error {
	f.revoked = append(f.revoked, code)
	return nil
}

func testFlags(on bool) *flags.Set {
	doc := `{"bookings.slot-keyed-calendar": false}`
	if on {
		doc = `{"bookings.slot-keyed-calendar": true}`
	}
	return flags.New(func(context.Context) ([]byte, error) { return []byte(doc), nil }, time.Hour)
}

func desk(start time.Time) domain.Booking {
	return domain.Booking{Member: "m1", Site: "ams-1", Resource: "desk-12", Kind: domain.KindDesk,
		Start: start, End: start.Add(2 * time.Hour)}
}

func TestBookThenConflict(t *testing.T) {
	for _, slotKeyed := range []bool{false, true} {
		codes := &fakeCodes{}
		s := New(memstore.New(), codes, testFlags(slotKeyed), 3)
		start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
		if _, err := s.Book(context.Background(), desk(start)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Book(context.Background(), desk(start.Add(time.Hour))); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("slot-keyed=%v: want conflict, got %v", slotKeyed, err)
		}
	}
}

func TestBookCompensatesWhenDoorCodeFails(t *testing.T) {
	st := memstore.New()
	s := New(st, &fakeCodes{fail: true}, testFlags(true), 3)
	start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
	if _, err := s.Book(context.Background(), desk(start)); err == nil {
		t.Fatal("want error")
	}
	taken, err := s.Taken(context.Background(), "ams-1", "desk-")
	if err != nil || len(taken) != 0 {
		t.Fatalf("claims left behind: %v %v", taken, err)
	}
}
