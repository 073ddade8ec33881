// Texts of the fulfilment queue, in their own i18next namespace ("fulfilment"), registered when this
// part of the back office loads. The Dutch texts are typed from the English ones, so a missing
// translation fails `tsc -p web`.
import i18n from '../../../lib/i18n';

const en = {
  nav: 'Fulfilment queue',
  title: 'Fulfilment queue',
  description: 'Pick lists, click & collect tasks and parcels per store: pick, pack, ship, mark ready and hand over.',
  store: 'Store or warehouse',
  allStores: 'All my locations',
  status: 'Status',
  method: 'Method',
  allMethods: 'All methods',
  activeOnly: 'To do',
  tableLabel: 'Fulfilments',
  order: 'Order',
  items: 'Items',
  where: 'Where',
  created: 'Created',
  actions: 'Actions',
  empty: 'Nothing to do here right now.',
  collectAt: 'collect at {{store}}',
  deadline: 'held until {{date}}',
  tracking: '{{carrier}} · {{number}}',
  methods: { delivery: 'Home delivery', pickup: 'Click & collect', ship_to_store: 'Ship to store' },
  statuses: { open: 'Open', picked: 'Picked', packed: 'Packed', shipped: 'Shipped', ready: 'Ready for pickup', delivered: 'Delivered', collected: 'Collected', cancelled: 'Cancelled' },
  act: { pick: 'Mark picked', pack: 'Mark packed', ship: 'Ship', deliver: 'Mark delivered', ready: 'Mark ready', handover: 'Hand over', cancel: 'Cancel' },
  actNamed: '{{action}}: order {{order}}',
  done: { pick: 'Marked picked.', pack: 'Marked packed.', ship: 'Shipped.', deliver: 'Marked delivered.', ready: 'Ready for pickup: the customer has been e-mailed the pickup code.', handover: 'Handed over. Enjoy!', cancel: 'Cancelled; stock released and the money given back.' },
  ship: { title: 'Ship the parcel', carrier: 'Carrier', trackingNumber: 'Tracking number', trackingUrl: 'Tracking link (optional)', submit: 'Confirm shipment', address: 'Deliver to' },
  shipTo: 'Deliver to',
  handover: { title: 'Hand over', hint: 'Ask the customer for the six-digit pickup code from their e-mail, or scan its QR code.', code: 'Pickup code', submit: 'Confirm hand-over', wrong: 'That code does not match this order. Nothing was handed over.', due: 'This order is paid at pickup: take {{amount}} first.', method: 'Paid with', cash: 'Cash', card: 'Card (terminal)', tendered: 'Cash received (optional, for change)', cardRef: 'Card reference from the terminal', last4: 'Last 4 digits of the card', payAndSubmit: 'Take payment and hand over' },
  cancel: { title: 'Cancel this fulfilment?', text: 'The stock is released and the customer gets their money back. This cannot be undone.', reason: 'Reason', submit: 'Cancel fulfilment', keep: 'Keep it' },
};

const nl: typeof en = {
  nav: 'Orderverwerking',
  title: 'Orderverwerking',
  description: 'Picklijsten, click & collect-taken en pakketten per winkel: picken, inpakken, verzenden, klaarzetten en overhandigen.',
  store: 'Winkel of magazijn',
  allStores: 'Al mijn locaties',
  status: 'Status',
  method: 'Methode',
  allMethods: 'Alle methoden',
  activeOnly: 'Te doen',
  tableLabel: 'Orderverwerking',
  order: 'Bestelling',
  items: 'Artikelen',
  where: 'Waar',
  created: 'Aangemaakt',
  actions: 'Acties',
  empty: 'Hier is nu niets te doen.',
  collectAt: 'ophalen in {{store}}',
  deadline: 'bewaard tot {{date}}',
  tracking: '{{carrier}} · {{number}}',
  methods: { delivery: 'Thuisbezorging', pickup: 'Click & collect', ship_to_store: 'Naar winkel sturen' },
  statuses: { open: 'Open', picked: 'Gepickt', packed: 'Ingepakt', shipped: 'Verzonden', ready: 'Klaar om op te halen', delivered: 'Bezorgd', collected: 'Opgehaald', cancelled: 'Geannuleerd' },
  act: { pick: 'Gepickt', pack: 'Ingepakt', ship: 'Verzenden', deliver: 'Bezorgd', ready: 'Klaarzetten', handover: 'Overhandigen', cancel: 'Annuleren' },
  actNamed: '{{action}}: bestelling {{order}}',
  done: { pick: 'Gemarkeerd als gepickt.', pack: 'Gemarkeerd als ingepakt.', ship: 'Verzonden.', deliver: 'Gemarkeerd als bezorgd.', ready: 'Klaar om op te halen: de klant heeft de ophaalcode gemaild gekregen.', handover: 'Overhandigd. Veel plezier ermee!', cancel: 'Geannuleerd; voorraad vrijgegeven en het geld teruggegeven.' },
  ship: { title: 'Pakket verzenden', carrier: 'Vervoerder', trackingNumber: 'Trackingnummer', trackingUrl: 'Trackinglink (optioneel)', submit: 'Verzending bevestigen', address: 'Bezorgen bij' },
  shipTo: 'Bezorgen bij',
  handover: { title: 'Overhandigen', hint: 'Vraag de klant om de zescijferige ophaalcode uit de e-mail, of scan de QR-code.', code: 'Ophaalcode', submit: 'Overhandiging bevestigen', wrong: 'Die code hoort niet bij deze bestelling. Er is niets overhandigd.', due: 'Deze bestelling wordt bij het ophalen betaald: reken eerst {{amount}} af.', method: 'Betaald met', cash: 'Contant', card: 'Pin (terminal)', tendered: 'Ontvangen contant (optioneel, voor wisselgeld)', cardRef: 'Kaartreferentie van de terminal', last4: 'Laatste 4 cijfers van de kaart', payAndSubmit: 'Afrekenen en overhandigen' },
  cancel: { title: 'Deze levering annuleren?', text: 'De voorraad wordt vrijgegeven en de klant krijgt het geld terug. Dit kan niet ongedaan worden.', reason: 'Reden', submit: 'Levering annuleren', keep: 'Niet annuleren' },
};

i18n.addResourceBundle('en', 'fulfilment', en, true, true);
i18n.addResourceBundle('nl', 'fulfilment', nl, true, true);
