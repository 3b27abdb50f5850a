package workosemu

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
)

// ordered is a sorted set of IDs. ULIDs sort by creation time, so the set is
// also the creation order that WorkOS lists in; new IDs almost always go at
// the end, which keeps inserts cheap for a 400,000-user rehearsal.
type ordered struct{ ids []string }

func (o *ordered) insert(id string) {
	i := sort.SearchStrings(o.ids, id)
	if i < len(o.ids) && o.ids[i] == id {
		return
	}
	o.ids = slices.Insert(o.ids, i, id)
}

func (o *ordered) remove(id string) {
	i := sort.SearchStrings(o.ids, id)
	if i < len(o.ids) && o.ids[i] == id {
		o.ids = slices.Delete(o.ids, i, i+1)
	}
}

// listQuery is the cursor pagination every WorkOS list endpoint shares.
type listQuery struct {
	limit  int
	order  string
	before string
	after  string
}

// parseListQuery reads limit, order, before and after. A bad value is the
// 422 production answers for a query that fails its schema.
func parseListQuery(q url.Values) (listQuery, *reply) {
	lq := listQuery{limit: 10, order: "desc", before: q.Get("before"), after: q.Get("after")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			r := errInvalidParams("limit", "invalid_limit", "limit must be an integer between 1 and 100.")
			return lq, &r
		}
		lq.limit = n
	}
	if s := q.Get("order"); s != "" {
		switch s {
		case "asc", "desc", "normal":
			lq.order = s
		default:
			r := errInvalidParams("order", "invalid_order", "order must be one of asc, desc, normal.")
			return lq, &r
		}
	}
	return lq, nil
}

// listMetadata is the cursor pair of a list page; both keys are always
// present, null at either end of the list.
type listMetadata struct {
	Before *string `json:"before"`
	After  *string `json:"after"`
}

type listBody struct {
	Object       string       `json:"object"`
	Data         []any        `json:"data"`
	ListMetadata listMetadata `json:"list_metadata"`
}

// paginate picks one page out of ids, which must be sorted ascending. A
// cursor that no longer exists still works, as in production, because the
// comparison is on the ID's position rather than on finding it.
func paginate(ids []string, q listQuery) ([]string, listMetadata) {
	desc := q.order != "asc"
	before, after := q.before, q.after
	if q.order == "normal" {
		before, after = after, before
	}
	// view is the list in display order.
	view := ids
	if desc {
		view = make([]string, len(ids))
		for i, id := range ids {
			view[len(ids)-1-i] = id
		}
	}
	// comes before cursor c in display order?
	earlier := func(id, c string) bool {
		if desc {
			return id > c
		}
		return id < c
	}
	start, end := 0, len(view)
	if after != "" {
		start = sort.Search(len(view), func(i int) bool { return !earlier(view[i], after) && view[i] != after })
	}
	if before != "" {
		end = sort.Search(len(view), func(i int) bool { return !earlier(view[i], before) })
		if end < start {
			end = start
		}
		if end-start > q.limit {
			start = end - q.limit
		}
	}
	if end-start > q.limit {
		end = start + q.limit
	}
	page := view[start:end]
	var md listMetadata
	if len(page) > 0 {
		if start > 0 {
			s := page[0]
			md.Before = &s
		}
		if end < len(view) {
			s := page[len(page)-1]
			md.After = &s
		}
	}
	if q.order == "normal" {
		md.Before, md.After = md.After, md.Before
	}
	return page, md
}

func listReply(data []any, md listMetadata) reply {
	if data == nil {
		data = []any{}
	}
	return reply{status: http.StatusOK, body: listBody{Object: "list", Data: data, ListMetadata: md}}
}
