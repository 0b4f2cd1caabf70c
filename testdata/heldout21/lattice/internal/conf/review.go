package conf

import "fmt"

// Score is a reviewer's overall recommendation on the usual -3..+3 scale.
type Score int

// Decision is the programme chairs' verdict on a paper.
type Decision int

const (
	Pending Decision = iota
	Accepted
	ConditionallyAccepted
	Rejected
	Withdrawn
)

func (d Decision) String() string {
	switch d {
	case Pending:
		return "pending"
	case Accepted:
		return "accepted"
	case ConditionallyAccepted:
		return "conditional"
	case Rejected:
		return "rejected"
	case Withdrawn:
		return "withdrawn"
	}
	return fmt.Sprintf("decision(%d)", int(d))
}
