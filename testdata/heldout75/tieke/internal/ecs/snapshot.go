package ecs

import "time"

// Snapshot is the serialisable shape of a world's entity table. Component
// data is captured by the owning game package alongside it.
type Snapshot struct {
	Tick     uint64            `json:"tick"`
	At       time.Time         `json:"at"`
	Entities map[Entity]Mask   `json:"entities"`
	Parts    map[string][]byte `json:"parts,omitempty"`
}

// Snapshot captures the entity table.
func (w *World) Snapshot() Snapshot {
	return Snapshot{Tick: w.Tick, At: w.Now, Entities: w.Entities(), Parts: map[string][]byte{}}
}

// Restore replaces the entity table with s.
func (w *World) Restore(s Snapshot) {
	w.masks = make(map[Entity]Mask, len(s.Entities))
	w.order = w.order[:0]
	w.next = 0
	for e, m := range s.Entities {
		w.SpawnWithID(e, m)
	}
	w.Tick = s.Tick
	w.Now = s.At
	w.dirty = true
}
