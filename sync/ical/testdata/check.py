"""Reads an .ics file with python3-icalendar and prints what it understood
as JSON, for sync/ical's tests. It also rebuilds every VTIMEZONE as a time
zone of its own (Timezone.to_tz) and compares it, every three hours over the
years the events use, with the system's zone data of the same name."""
import datetime
import json
import sys
import zoneinfo

import icalendar


def main(path):
    with open(path, 'rb') as f:
        data = f.read()
    cal = icalendar.Calendar.from_ical(data)
    out = {'events': [], 'zones': {}, 'name': str(cal.get('X-WR-CALNAME', ''))}
    years = {}
    for ev in cal.walk('VEVENT'):
        start = ev.decoded('DTSTART')
        e = {
            'uid': str(ev['UID']),
            'summary': str(ev.get('SUMMARY', '')),
            'description': str(ev.get('DESCRIPTION', '')),
            'location': str(ev.get('LOCATION', '')),
            'status': str(ev.get('STATUS', '')),
            'sequence': int(ev.get('SEQUENCE', 0)),
            'alarms': [int(a.decoded('TRIGGER').total_seconds()) for a in ev.walk('VALARM')],
        }
        if isinstance(start, datetime.datetime):
            tzid = ev['DTSTART'].params.get('TZID', 'UTC' if start.tzinfo else '')
            e['tzid'] = str(tzid)
            e['start'] = start.replace(tzinfo=None).isoformat()
            e['start_utc'] = start.astimezone(datetime.timezone.utc).isoformat()
            if tzid and tzid != 'UTC':
                years.setdefault(str(tzid), set()).add(start.year)
        else:
            e['tzid'] = 'DATE'
            e['start'] = start.isoformat()
        if 'DTEND' in ev:
            end = ev.decoded('DTEND')
            e['end'] = end.replace(tzinfo=None).isoformat() if isinstance(end, datetime.datetime) else end.isoformat()
        out['events'].append(e)
    for vtz in cal.walk('VTIMEZONE'):
        name = str(vtz['TZID'])
        ours = vtz.to_tz()
        ref = zoneinfo.ZoneInfo(name)
        ys = sorted(years.get(name, []))
        checked = bad = 0
        first_bad = ''
        if ys:
            t = datetime.datetime(ys[0], 1, 1, tzinfo=datetime.timezone.utc)
            stop = datetime.datetime(ys[-1] + 1, 1, 1, tzinfo=datetime.timezone.utc)
            while t < stop:
                a = t.astimezone(ours).utcoffset()
                b = t.astimezone(ref).utcoffset()
                checked += 1
                if a != b:
                    bad += 1
                    first_bad = first_bad or '%s: ours %s, zoneinfo %s' % (t.isoformat(), a, b)
                t += datetime.timedelta(hours=3)
        out['zones'][name] = {'checked': checked, 'mismatches': bad, 'first_mismatch': first_bad}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == '__main__':
    main(sys.argv[1])
