package app

import (
	"slices"

	"github.com/kundenkartei/kundenkartei/model"
)

// gestureLifecycleOrder sorts statuses the way a gesture lives: idea,
// offered, accepted, redeemed, declined, expired (model.GestureStatuses),
// so every list of states reads in that order whatever the current one.
func gestureLifecycleOrder(statuses []model.GestureStatus) []model.GestureStatus {
	out := slices.Clone(statuses)
	slices.SortStableFunc(out, func(a, b model.GestureStatus) int {
		return slices.Index(model.GestureStatuses, a) - slices.Index(model.GestureStatuses, b)
	})
	return out
}
