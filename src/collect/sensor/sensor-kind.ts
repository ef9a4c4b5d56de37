/** The sensors podtrail deploys (or reads, when the cluster runs its own). */
export type SensorKind = 'tetragon' | 'falco';
export const SENSOR_KINDS: readonly SensorKind[] = ['tetragon', 'falco'];

/** Per kind: the DaemonSet, the container whose log is the event stream, and the clock reporter. */
export interface KindLayout {
  daemonSet: string;
  /** The container whose stdout carries the sensor's JSON events. */
  eventsContainer: string;
  clockContainer: string;
}

export const LAYOUT: Record<SensorKind, KindLayout> = {
  tetragon: { daemonSet: 'podtrail-tetragon', eventsContainer: 'export-stdout', clockContainer: 'podtrail-clock' },
  falco: { daemonSet: 'podtrail-falco', eventsContainer: 'falco', clockContainer: 'podtrail-clock' },
};

/** The events container of a sensor podtrail did not deploy (the charts' names), unless --container says. */
export const FOREIGN_EVENTS_CONTAINER: Record<SensorKind, string> = { tetragon: 'export-stdout', falco: 'falco' };

/** Images and labels that give a Tetragon or Falco away, whoever installed it. */
export const SENSOR_SIGNS: Record<SensorKind, { images: RegExp; names: RegExp }> = {
  tetragon: { images: /(^|\/)cilium\/tetragon(-ci)?[:@]|(^|\/)tetragon[:@]/, names: /^tetragon$/ },
  falco: { images: /(^|\/)falcosecurity\/falco(-no-driver|-distroless)?[:@]|(^|\/)falco[:@]/, names: /^falco$/ },
};
