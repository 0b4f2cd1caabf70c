package kvhotkey

import (
	"net/http"
	"time"

	"kvlint.test/syumai033/units"
)

type activity struct{ s *units.Store }

// A constant key staged on every request is written on every request.
func (a *activity) ServeHTTP(w http.ResponseWriter, r *http.Request) { // want ServeHTTP:"kvhotkey"
	uow := a.s.Begin()
	uow.Put("board/last-activity", time.Now().Format(time.RFC3339), 0) // want `this handler writes the same KV key on every request`
	if err := uow.Commit(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// Quiet: the unit keeps one write per key, however often a loop stages
// it; distinct keys are distinct writes.
func publish(s *units.Store, names []string) error {
	uow := s.Begin()
	index := ""
	for _, n := range names {
		index += n + ","
		uow.Put("index", index, 0)
		uow.Put("flag/"+n, "on", 0)
	}
	return uow.Commit()
}

// A log that keeps every write makes every one of them.
func replay(l *units.Log, events []string) error { // want replay:"kvhotkey"
	for _, e := range events {
		l.Add("last-event", e) // want `this loop writes the same KV key on every iteration`
	}
	return l.Flush()
}

// Quiet: a unit kept for the life of the server, flushed by a ticker
// elsewhere, keeps one write per key however many requests stage it.
type feed struct{ pending *units.Unit }

func (f *feed) changed(id string) {
	f.pending.Put("feed/item/"+id, "1", 0)
	f.pending.Put("feed/last-change", time.Now().Format(time.RFC3339), 0)
}

func (f *feed) serve(w http.ResponseWriter, r *http.Request) {
	f.changed(r.PathValue("id"))
}

func (f *feed) flushEvery(tick <-chan time.Time) {
	for range tick {
		_ = f.pending.Commit()
	}
}
